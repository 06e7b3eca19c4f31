using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>
/// A request path taken apart the way the API server routes it:
/// <c>/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}/{rest}</c> or <c>/apis/{group}/{version}/...</c>.
/// </summary>
internal sealed record ApiRoute(ResourceType Type, string Version, string? Namespace, string? Name, string? Subresource, string? Rest)
{
    public string ApiVersion => Type.ApiVersionFor(Version);

    /// <summary>Parses a resource path; null when the path is not a resource path (discovery, unknown).</summary>
    public static ApiRoute? Parse(string path, IReadOnlyList<ResourceType> served)
    {
        ResourceType? Find(string g, string v, string r) => served.FirstOrDefault(t => t.Group == g && t.Resource == r && t.ServedVersions.Contains(v));

        var parts = path.Trim('/').Split('/');
        string group, version;
        int i;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            group = "";
            version = parts[1];
            i = 2;
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            group = parts[1];
            version = parts[2];
            i = 3;
        }
        else
        {
            return null;
        }

        string? ns = null;
        if (parts[i] == "namespaces" && parts.Length > i + 2 && Find(group, version, parts[i + 2]) is { Namespaced: true })
        {
            ns = Uri.UnescapeDataString(parts[i + 1]);
            i += 2;
        }

        var type = Find(group, version, parts[i]);
        if (type is null)
        {
            return null;
        }

        var name = parts.Length > i + 1 ? Uri.UnescapeDataString(parts[i + 1]) : null;
        var sub = parts.Length > i + 2 ? parts[i + 2] : null;
        var rest = parts.Length > i + 3 ? string.Join('/', parts[(i + 3)..]) : null;
        return new ApiRoute(type, version, ns, name, sub, rest);
    }
}
