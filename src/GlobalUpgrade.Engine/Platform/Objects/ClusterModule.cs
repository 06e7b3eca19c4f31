using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// A ClusterModule: a cluster's functional components before 4.3 [schema crds/cluster.alauda.io_clustermodules.yaml]:
/// status.base (deployStatus, runningStatus, version, message), status.unableUpgradeReason; spec.upgradeModulesInfos[]
/// (name, version) lists the modules to upgrade. Where the console writes the target and the plugins' targets, and
/// which fields offer the upgrade, are [assumed] paths of the component profile, read through <see cref="Field"/>.
/// </summary>
public sealed record ClusterModule
{
    public required ObjectMeta Meta { get; init; }

    public string Name => Meta.Name;

    public string? DeployStatus { get; init; }

    public string? RunningStatus { get; init; }

    /// <summary>status.base.version: the version that runs.</summary>
    public string? Version { get; init; }

    public string? Message { get; init; }

    public string? UnableUpgradeReason { get; init; }

    /// <summary>Completed and Healthy.</summary>
    public bool IsSettled => DeployStatus == "Completed" && RunningStatus == "Healthy";

    /// <summary>The deploy failed (DeployFailed or UpgradeFailed).</summary>
    public bool HasFailed => DeployStatus is "DeployFailed" or "UpgradeFailed";

    private JsonObject Source { get; init; } = new();

    /// <summary>A field at a dotted path the component profile names (a user can override the path).</summary>
    public string? Field(string dottedPath) => JsonPath.String(Source, dottedPath);

    /// <summary>A true/false field at a dotted path the component profile names.</summary>
    public bool? Flag(string dottedPath) => JsonPath.Bool(Source, dottedPath);

    public static ClusterModule From(JsonObject obj) => new()
    {
        Source = obj,
        Meta = ObjectMeta.Of(obj),
        DeployStatus = JsonPath.String(obj, "status.base.deployStatus"),
        RunningStatus = JsonPath.String(obj, "status.base.runningStatus"),
        Version = JsonPath.String(obj, "status.base.version"),
        Message = JsonPath.String(obj, "status.base.message"),
        UnableUpgradeReason = JsonPath.String(obj, "status.unableUpgradeReason"),
    };
}
