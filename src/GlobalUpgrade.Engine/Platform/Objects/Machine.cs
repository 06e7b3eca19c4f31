using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>A tkestack Machine: one node of a cluster [schema openapi/platform.tkestack.io.v1.json].</summary>
public sealed record Machine
{
    /// <summary>[schema] spec.role of a control-plane Machine.</summary>
    public const string ControlPlaneRole = "master";

    public required ObjectMeta Meta { get; init; }

    public string Name => Meta.Name;

    /// <summary>spec.clusterName: the cluster the node belongs to.</summary>
    public string? ClusterName { get; init; }

    public string? IP { get; init; }

    public string? Role { get; init; }

    public string? Phase { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }

    /// <summary>A control-plane node of the named cluster.</summary>
    public bool IsControlPlaneOf(string cluster) => ClusterName == cluster && Role == ControlPlaneRole;

    public static Machine From(JsonObject obj) => new()
    {
        Meta = ObjectMeta.Of(obj),
        ClusterName = JsonPath.String(obj, "spec.clusterName"),
        IP = JsonPath.String(obj, "spec.ip"),
        Role = JsonPath.String(obj, "spec.role"),
        Phase = JsonPath.String(obj, "status.phase"),
        Reason = JsonPath.String(obj, "status.reason"),
        Message = JsonPath.String(obj, "status.message"),
    };
}
