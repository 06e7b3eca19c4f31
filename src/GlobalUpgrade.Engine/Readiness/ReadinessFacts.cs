using System.Text.Json.Nodes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Readiness;

/// <summary>A cluster the global cluster manages (clusters.platform.tkestack.io), with its Kubernetes version.</summary>
public sealed record ManagedCluster(string Name, string? KubernetesVersion);

/// <summary>An installed plugin (ModuleInfo): the cluster it is installed on, its module name and version.</summary>
public sealed record InstalledPlugin(string ClusterName, string Module, string? Version, string ObjectName)
{
    /// <summary>Annotation cpaas.io/display-name (the name the docs use) [schema: crds/cluster.alauda.io_moduleinfoes.yaml printer column Display_Name].</summary>
    public string? DisplayName { get; init; }

    /// <summary>status.availableVersions[].version: the versions the platform offers to upgrade it to [schema: same CRD].</summary>
    public IReadOnlyList<string> AvailableVersions { get; init; } = [];
}

/// <summary>A published plugin version (ModuleConfig).</summary>
public sealed record PublishedPlugin(string Module, string Version);

/// <summary>Free space under the MinIO directory of one control-plane node; Error when it could not be measured.</summary>
public sealed record MinioSpace(string Node, string? MeasuredPath, double? FreeGB, string? Error);

/// <summary>
/// Everything the readiness conditions need from one connected global cluster, read once (ReadinessReader) and
/// judged without I/O (ReadinessConditions), so xunit can cover every rule.
/// </summary>
public sealed record ReadinessFacts
{
    /// <summary>The connection's name (the Target prefix).</summary>
    public required string Cluster { get; init; }

    public required PlatformVersion Target { get; init; }

    /// <summary>ProductBase status.version as read (null when absent).</summary>
    public string? RunningVersion { get; init; }

    public PlatformVersion? From => PlatformVersion.TryParse(RunningVersion, out var v) ? v : null;

    public ReadinessAssumptions Assumptions { get; init; } = ReadinessAssumptions.Default;

    /// <summary>Replaces the documented Kubernetes prerequisite (-KubernetesVersionRange).</summary>
    public KubernetesRange? KubernetesOverride { get; init; }

    public IReadOnlyList<ManagedCluster> ManagedClusters { get; init; } = [];

    public IReadOnlyList<InstalledPlugin> InstalledPlugins { get; init; } = [];

    public IReadOnlyList<PublishedPlugin> PublishedPlugins { get; init; } = [];

    /// <summary>Names of the etcd backup tasks; null when the (assumed) resource is not served.</summary>
    public IReadOnlyList<string>? EtcdBackupTasks { get; init; }

    /// <summary>The control-plane Machines of the global cluster ("name (ip)").</summary>
    public IReadOnlyList<string> ControlPlaneNodes { get; init; } = [];

    /// <summary>Every Machine of the global cluster (IP, else name): the nodes that will run the target's Kubernetes.</summary>
    public IReadOnlyList<string> GlobalNodes { get; init; } = [];

    /// <summary>What the node readiness commands printed per node (targets with <see cref="PlatformLine.NodeReadiness"/>); null when no node access was given.</summary>
    public IReadOnlyList<NodeKernel>? NodeKernels { get; init; }

    /// <summary>The administrator gates in cpaas-system/admin-gates with their acknowledgements; null when there is no admin-gates (or the target has no gates).</summary>
    public IReadOnlyList<AdminGate>? AdminGates { get; init; }

    /// <summary>What df said per node; null when no node access was given.</summary>
    public IReadOnlyList<MinioSpace>? MinioSpace { get; init; }

    /// <summary>ClusterVersionShadow cpaas-system/global (4.3+), null when there is none.</summary>
    public JsonObject? ClusterVersionShadow { get; init; }

    /// <summary>The checks of upgrade.sh --preflight when a package was given; they take the place of the CVSH's.</summary>
    public IReadOnlyList<CheckResult>? PackagePreflight { get; init; }
}
