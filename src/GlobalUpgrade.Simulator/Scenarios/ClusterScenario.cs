using System.Text.Json.Nodes;

namespace GlobalUpgrade.Simulator.Scenarios;

/// <summary>
/// What one simulated cluster looks like and how its controllers behave: a scenario file's <c>defaults</c> section
/// merged with the cluster's own section (<c>primary</c>, <c>standby</c> or <c>global</c>).
/// </summary>
public sealed class ClusterScenario
{
    /// <summary>Platform version in ProductBase <c>base</c> <c>status.version</c>.</summary>
    public string PlatformVersion { get; set; } = "v4.1.0";

    public string KubernetesVersion { get; set; } = "v1.31.4";

    public string Vip { get; set; } = "192.168.0.10";

    /// <summary>False: no <c>clusters.platform.tkestack.io/global</c> (the cluster is not a global cluster).</summary>
    public bool IsGlobal { get; set; } = true;

    /// <summary>ProductBase <c>spec.alternativeURLs</c>; <c>{vip}</c> is replaced by <see cref="Vip"/>.</summary>
    public List<string> AlternativeUrls { get; set; } = [];

    /// <summary>A fixed token for the <c>-readonly</c> user (always forbidden); random when empty.</summary>
    public string? ForbiddenToken { get; set; }

    /// <summary>The token in secret <c>cpaas-system/k8sadmin</c>; random when empty.</summary>
    public string? K8sAdminToken { get; set; }

    public List<MachineScenario> Machines { get; set; } = [];

    public List<PluginScenario> Plugins { get; set; } = [];

    public ClusterModuleScenario ClusterModule { get; set; } = new();

    /// <summary>When set, ClusterVersionShadow <c>cpaas-system/global</c> exists (4.3+ upgrade path).</summary>
    public CvshScenario? ClusterVersionShadow { get; set; }

    public EtcdSyncScenario EtcdSync { get; set; } = new();

    public UpgradeScenario Upgrade { get; set; } = new();

    public DurationsScenario Durations { get; set; } = new();

    /// <summary>Namespaces to create besides the platform's own and those the objects name.</summary>
    public List<string> Namespaces { get; set; } = [];

    /// <summary>Extra raw Kubernetes objects (app config maps, secrets, deployments...).</summary>
    public List<JsonObject> Objects { get; set; } = [];

    /// <summary>More objects for one cluster on top of <see cref="Objects"/> (a merge patch replaces lists, this adds).</summary>
    public List<JsonObject> ExtraObjects { get; set; } = [];
}

public sealed class MachineScenario
{
    public string Name { get; set; } = "";

    public string Ip { get; set; } = "";

    /// <summary>master or node.</summary>
    public string Role { get; set; } = "master";

    public string ClusterName { get; set; } = "global";

    public string Phase { get; set; } = "Running";

    public string? Reason { get; set; }

    public string? Message { get; set; }
}

/// <summary>A cluster plugin: ModulePlugin + ModuleConfig, and a ModuleInfo when installed.</summary>
public sealed class PluginScenario
{
    public string ModuleName { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string Version { get; set; } = "";

    public bool Installed { get; set; }

    /// <summary>ModuleInfo <c>status.phase</c> of an installed plugin.</summary>
    public string Phase { get; set; } = "Running";

    /// <summary>Settings of an installed plugin (ModuleInfo <c>spec.config</c>); for the synchronizer each key is a dotted path set over the form the DR pair fills.</summary>
    public JsonObject? Config { get; set; }
}

public sealed class ClusterModuleScenario
{
    public string Version { get; set; } = "";

    public string DeployStatus { get; set; } = "Completed";

    public string RunningStatus { get; set; } = "Healthy";
}

public sealed class CvshScenario
{
    /// <summary>The applied version (<c>status.current.version</c>).</summary>
    public string Version { get; set; } = "";

    /// <summary>Versions offered in <c>status.availableUpdates</c>.</summary>
    public List<string> AvailableUpdates { get; set; } = [];

    /// <summary>
    /// A preflight result already in <c>status.preflight.checks</c> (a preflight the operator ran before the window);
    /// PreflightReady follows it: False on a Failed or Retry check, else True.
    /// </summary>
    public List<PreflightCheckScenario> Preflight { get; set; } = [];
}

/// <summary>One entry of <c>status.preflight.checks[]</c> [doc: release-4.3 upgrade_global_cluster.mdx "Observe execution"].</summary>
public sealed class PreflightCheckScenario
{
    public string Name { get; set; } = "";

    public string Policy { get; set; } = "Once";

    /// <summary>Passed, Retry or Failed.</summary>
    public string State { get; set; } = "Passed";

    public string Reason { get; set; } = "";

    public string Message { get; set; } = "";
}

/// <summary>The etcd synchronizer: which variant is installed, and what its mirror has not copied.</summary>
public sealed class EtcdSyncScenario
{
    /// <summary>none, plugin (4.x, on the standby), plugin-3.18 (EtcdSync on the primary), helm-3.16 (on the primary).</summary>
    public string Variant { get; set; } = "none";

    /// <summary>Plugin version (ModuleConfig/ModuleInfo); 4.3.1+ runs the bootstrap job first.</summary>
    public string Version { get; set; } = "";

    /// <summary>Etcd keys of primary objects the mirror does not copy until the leader pod has been deleted once.</summary>
    public List<string> MissedUntilLeaderRestart { get; set; } = [];

    /// <summary>When set, new synchronizer pods never become Ready: they stay Pending with this waiting reason (e.g. ImagePullBackOff).</summary>
    public string? PodStuckReason { get; set; }

    /// <summary>The monitor service's port (the docs curl port 80); another one plays a platform that moved it.</summary>
    public int MonitorPort { get; set; } = Controllers.EtcdSyncNames.MonitorPort;

    /// <summary>The synchronizer's replicas; null: the line's (one before 4.3, two with the leader lease from 4.3).</summary>
    public int? Replicas { get; set; }

    /// <summary>When true, port 2379 of the active cluster does not answer from the standby (not forwarded, or a firewall).</summary>
    public bool ActiveEtcdUnreachable { get; set; }
}

public sealed class UpgradeScenario
{
    /// <summary>When set, a ClusterModule upgrade ends DeployFailed with this <c>status.unableUpgradeReason</c>.</summary>
    public string? DeployFailedReason { get; set; }

    /// <summary>When set, the ClusterModule never offers the Functional Components upgrade after the platform upgrade, and gives this <c>status.unableUpgradeReason</c>.</summary>
    public string? NotOfferedReason { get; set; }

    /// <summary>When set, a ClusterVersionShadow upgrade stalls on this failed preflight check.</summary>
    public StallScenario? Stall { get; set; }

    /// <summary>When set, this preflight check reports Retry (no final result yet) for some rounds before it passes.</summary>
    public RetryScenario? Retry { get; set; }

    /// <summary>When set, the ClusterVersionShadow upgrade turns Degraded=True with this reason in its first stage.</summary>
    public ReasonScenario? Degraded { get; set; }
}

public sealed class RetryScenario
{
    public string Check { get; set; } = "";

    public int Rounds { get; set; } = 2;

    public string Reason { get; set; } = "";

    public string Message { get; set; } = "";
}

public sealed class ReasonScenario
{
    public string Reason { get; set; } = "";

    public string Message { get; set; } = "";
}

public sealed class StallScenario
{
    public string Check { get; set; } = "";

    public string Reason { get; set; } = "";

    public string Message { get; set; } = "";
}

/// <summary>Controller durations in seconds, multiplied by the time scale.</summary>
public sealed class DurationsScenario
{
    public double PodStartSeconds { get; set; } = 2;

    public double BootstrapJobSeconds { get; set; } = 2;

    public double UpgradeSeconds { get; set; } = 6;

    /// <summary>From the platform upgrade (ProductBase status.version) to the ClusterModule offering the component upgrade (the docs: 10–15 minutes).</summary>
    public double ComponentNoticeSeconds { get; set; } = 3;

    public double CvshStepSeconds { get; set; } = 2;

    public double MirrorIntervalSeconds { get; set; } = 1;
}
