using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>A tkestack Cluster: the global cluster or a workload cluster it manages [schema openapi/platform.tkestack.io.v1.json].</summary>
public sealed record Cluster
{
    public required ObjectMeta Meta { get; init; }

    public string Name => Meta.Name;

    /// <summary>Its Kubernetes version: status.version, else spec.version.</summary>
    public string? KubernetesVersion { get; init; }

    public bool IsGlobal => Name == AcpResources.GlobalClusterName;

    public static Cluster From(JsonObject obj) => new()
    {
        Meta = ObjectMeta.Of(obj),
        KubernetesVersion = JsonPath.String(obj, "status.version") ?? JsonPath.String(obj, "spec.version"),
    };
}
