using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// An Operator's ClusterServiceVersion (OLM) [doc release-4.1 extend/operator.mdx]: the Operator's version is its
/// spec.version. Read only, for the record of what Preflight found.
/// </summary>
public sealed record ClusterServiceVersion
{
    /// <summary>operators.coreos.com/v1alpha1 clusterserviceversions, namespaced.</summary>
    public static readonly AcpResource Resource = new("operators.coreos.com", "v1alpha1", "clusterserviceversions", Namespaced: true);

    public required ObjectMeta Meta { get; init; }

    /// <summary>spec.version; null when the object does not say.</summary>
    public string? Version { get; init; }

    /// <summary>"&lt;namespace&gt;/&lt;name&gt;".</summary>
    public string Key => $"{Meta.Namespace}/{Meta.Name}";

    public static ClusterServiceVersion From(JsonObject obj) => new()
    {
        Meta = ObjectMeta.Of(obj),
        Version = JsonPath.String(obj, "spec.version"),
    };
}
