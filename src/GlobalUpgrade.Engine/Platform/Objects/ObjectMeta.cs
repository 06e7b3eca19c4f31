using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>The metadata of any object the server sent, read tolerantly (the API omits empty fields).</summary>
public sealed record ObjectMeta
{
    public string Name { get; init; } = "";

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Finalizers { get; init; } = [];

    /// <summary>metadata.deletionTimestamp is set: the object is being deleted.</summary>
    public bool IsDeleting { get; init; }

    public long? Generation { get; init; }

    public string? ResourceVersion { get; init; }

    public string? Label(string key) => Labels.GetValueOrDefault(key);

    public string? Annotation(string key) => Annotations.GetValueOrDefault(key);

    public static ObjectMeta Of(JsonNode? obj) => new()
    {
        Name = JsonPath.Name(obj),
        Namespace = JsonPath.String(obj, "metadata.namespace"),
        Labels = JsonPath.StringMap(obj, "metadata.labels"),
        Annotations = JsonPath.StringMap(obj, "metadata.annotations"),
        Finalizers = (JsonPath.Node(obj, "metadata.finalizers") as JsonArray ?? []).Select(f => f?.ToString()).OfType<string>().ToList(),
        IsDeleting = JsonPath.String(obj, "metadata.deletionTimestamp") is not null,
        Generation = JsonPath.Int64(obj, "metadata.generation"),
        ResourceVersion = JsonPath.String(obj, "metadata.resourceVersion"),
    };

    /// <summary>"namespace/name" (or "/name"): what identifies an object of one kind.</summary>
    public static string Key(JsonNode? obj) => $"{JsonPath.String(obj, "metadata.namespace")}/{JsonPath.Name(obj)}";

    /// <summary>metadata.name, "" when absent.</summary>
    public static string NameOf(JsonNode? obj) => JsonPath.Name(obj);
}
