using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>An APIGroupList entry (GET /apis): a group, the versions it serves and the one it prefers.</summary>
public sealed record ApiGroup(string Name, IReadOnlyList<(string GroupVersion, string Version)> Versions, string? PreferredGroupVersion, JsonObject Source)
{
    /// <summary>The groups of an APIGroupList.</summary>
    public static IReadOnlyList<ApiGroup> ListOf(JsonNode? groupList) =>
        JsonPath.Objects(groupList, "groups").Select(From).ToList();

    public static ApiGroup From(JsonObject group) => new(
        JsonPath.String(group, "name") ?? "",
        JsonPath.Objects(group, "versions").Select(v => (JsonPath.String(v, "groupVersion") ?? "", JsonPath.String(v, "version") ?? "")).ToList(),
        JsonPath.String(group, "preferredVersion.groupVersion"),
        group);
}

/// <summary>An APIResourceList (GET /apis/&lt;group&gt;/&lt;version&gt;): what one group version serves.</summary>
public sealed record ApiResourceList(string? GroupVersion, IReadOnlyList<ApiResourceList.Resource> Resources)
{
    /// <summary>One served resource: its plural name ("pods", "pods/log" for a subresource), kind, short names and scope.</summary>
    public sealed record Resource(string Name, string? Kind, IReadOnlyList<string> ShortNames, bool Namespaced)
    {
        public bool IsSubresource => Name.Contains('/', StringComparison.Ordinal);
    }

    public bool Serves(string plural) => Resources.Any(r => r.Name == plural);

    public static ApiResourceList From(JsonNode? list) => new(
        JsonPath.String(list, "groupVersion"),
        JsonPath.Objects(list, "resources").Select(r => new Resource(
            JsonPath.String(r, "name") ?? "",
            JsonPath.String(r, "kind"),
            (JsonPath.Node(r, "shortNames") as JsonArray ?? []).Select(s => s is JsonValue v && v.TryGetValue<string>(out var t) ? t : null).OfType<string>().ToList(),
            JsonPath.Bool(r, "namespaced") ?? true)).ToList());
}
