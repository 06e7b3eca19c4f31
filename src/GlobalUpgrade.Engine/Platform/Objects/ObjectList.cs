using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>One page of a list answer: its items, the resourceVersion to watch from, and the token of the next page.</summary>
public sealed record ObjectList(IReadOnlyList<JsonObject> Items, string? ResourceVersion, string? Continue)
{
    public static ObjectList From(JsonNode? page) => new(
        ItemsOf(page).ToList(), JsonPath.String(page, "metadata.resourceVersion"), JsonPath.String(page, "metadata.continue"));

    /// <summary>The objects of a list answer (none when it has no items).</summary>
    public static IEnumerable<JsonObject> ItemsOf(JsonNode? list) => JsonPath.Objects(list, "items");

    /// <summary>metadata.resourceVersion of any object or list.</summary>
    public static string? ResourceVersionOf(JsonNode? obj) => JsonPath.String(obj, "metadata.resourceVersion");
}

/// <summary>A Status the server sends instead of an object (a watch's ERROR event): code 410 means the resourceVersion is gone.</summary>
public sealed record ApiStatus(long? Code, string? Message)
{
    public bool IsGone => Code == 410;

    public static ApiStatus From(JsonNode? status) => new(JsonPath.Int64(status, "code"), JsonPath.String(status, "message"));
}
