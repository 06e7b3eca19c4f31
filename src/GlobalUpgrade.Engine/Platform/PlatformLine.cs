namespace GlobalUpgrade.Platform;

/// <summary>
/// One documented ACP version line (3.16, 3.18, 4.0, 4.1, 4.2, 4.3.0, 4.3.1+, 4.4 from the docs' master branch) and every fact the engine needs that
/// differs between lines, each a named member with its source (branches of alauda/acp-docs). The engine asks a
/// line's facts; versions are compared only here (<see cref="For"/>). docs/platform-versions.md mirrors this file.
/// A new line is one more record below, added to <see cref="All"/> (<see cref="For"/> finds it by its first version).
/// </summary>
public sealed record PlatformLine
{
    /// <summary>"4.1", "4.3.0", "4.3.1+".</summary>
    public required string Name { get; init; }

    /// <summary>The first version of the line ("4.3.1" for "4.3.1+").</summary>
    public required PlatformVersion First { get; init; }

    /// <summary>The etcd synchronizer of a DR pair on this line (host cluster, removal, module name, form, token secret, bootstrap job, leader, monitor).</summary>
    public required EtcdSyncLine EtcdSync { get; init; }

    /// <summary>
    /// How the functional components are upgraded after upgrade.sh --skip-sync-image: the console's ClusterModule
    /// before 4.3 [doc release-4.0…4.2 upgrade/upgrade_global_cluster.mdx "Trigger the upgrade"], the Cluster Version
    /// Operator through ClusterVersionShadow from 4.3 [doc release-4.3 upgrade/upgrade_global_cluster.mdx].
    /// </summary>
    public ComponentUpgradeKind ComponentUpgrade { get; init; } = ComponentUpgradeKind.ClusterModule;

    /// <summary>[doc release-4.3 upgrade/upgrade_global_cluster.mdx "Run preflight checks"] upgrade.sh has the read-only --preflight.</summary>
    public bool HasPackagePreflight { get; init; }

    /// <summary>[doc release-4.3 upgrade/upgrade_global_cluster.mdx "Sync upgrade artifacts"] upgrade.sh has --skip-check-artifacts (absent from release-4.0…4.2).</summary>
    public bool HasSkipCheckArtifacts { get; init; }

    /// <summary>
    /// [doc release-4.3 upgrade/upgrade_global_cluster.mdx "Image upload required but credentials omitted"] without
    /// --username/--password upgrade.sh reads the registry's credentials from the secret cpaas-system/registry-admin;
    /// earlier lines need them on the command line (release-4.2, same file).
    /// </summary>
    public bool ReadsRegistryCredentialsFromSecret { get; init; }

    /// <summary>
    /// How upgrade.sh is told to sync images only, as the line's docs spell it: <c>--only-sync-image=true</c> [doc
    /// release-4.0/4.1/4.2 upgrade/upgrade_global_cluster.mdx "Upload images"], <c>--only-sync-image</c> [doc release-4.3
    /// upgrade/upgrade_global_cluster.mdx "Sync upgrade artifacts"]. The image sync reads the package's version first.
    /// </summary>
    public string ImageSyncFlag { get; init; } = "--only-sync-image=true";

    /// <summary>
    /// Whether upgrading a DR standby to this line requires https://&lt;standby VIP&gt; in its ProductBase
    /// spec.alternativeURLs: always before 4.3 [doc release-4.0..4.2 upgrade/upgrade_global_cluster.mdx "Upgrade the
    /// standby cluster"]; from 4.3 only "if you will use the Web Console on the standby" [doc release-4.3 same page].
    /// </summary>
    public bool RequiresStandbyAlternativeUrl { get; init; } = true;

    // Pre-upgrade conditions [doc release-4.x upgrade/pre-upgrade.mdx], as facts of the target or the source line.

    /// <summary>As a target: the "Starting from 4.0" prerequisites apply (Kubernetes range, /cpaas/minio space, custom etcd backups, CostManager).</summary>
    public bool HasFourXPrerequisites { get; init; }

    /// <summary>As a source: the "Upgrade from 3.x" tabs apply (Istio version, Elasticsearch preparation).</summary>
    public bool HasThreeXUpgradeNotes { get; init; }

    /// <summary>As a source: "Upgrade from 3.x" tab 3.16, uninstall ClickHouse before and reinstall after.</summary>
    public bool RequiresClickHouseUninstall { get; init; }

    /// <summary>As a source: the Istio minor version (1.x) the "Upgrade from 3.x" tab requires (1.20 from 3.16, 1.22 from 3.18); 0 where none applies.</summary>
    public int RequiredIstioMinor { get; init; }

    /// <summary>As a source: Elasticsearch v6 runs and cannot be upgraded to v8 (tab 3.16; 3.18 applies the node-role fix instead).</summary>
    public bool RunsElasticsearchV6 { get; init; }

    /// <summary>As a target: the source lines from which the warning "Alauda Build of TopoLVM" asks to upload it first (release-4.2 from 4.0/4.1; release-4.3 from 4.0).</summary>
    public IReadOnlyList<string> TopoLvmUploadFrom { get; init; } = [];

    /// <summary>Log storage needs "Alauda Container Platform Log Essentials" [doc release-4.2/4.3 pre-upgrade.mdx "Starting with v4.2 … Log Essentials"]: checked when the target has it and the source does not.</summary>
    public bool NeedsLogEssentials { get; init; }

    /// <summary>As a target: every installed plugin must have a version for it published [doc release-4.3 pre-upgrade.mdx "Step 2: Inventory the plugins"]; before, a missing one is only reported.</summary>
    public bool RequiresEveryPluginPublished { get; init; }

    // Post-upgrade conditions [doc release-4.x upgrade/upgrade_global_cluster.mdx], as facts of the target line.

    /// <summary>[doc release-4.0/4.1/4.2 INFO under "Upgrade the global cluster"] GitOps pods may run abnormally after the upgrade.</summary>
    public bool HasGitOpsPostUpgradeNotice { get; init; }

    /// <summary>[doc release-4.3 "Upgrade Agnostic plugins from Marketplace"; overview.mdx] Agnostic plugins are upgraded outside the CVO.</summary>
    public bool UpgradesAgnosticPluginsAfter { get; init; }

    /// <summary>[doc release-4.3 "Post-upgrade"] L5 plugins must be upgraded to versions compatible with the line.</summary>
    public bool RequiresL5PluginsCompatible { get; init; }

    /// <summary>
    /// The Kubernetes minor (1.x) the global cluster must run once upgraded to this line, where the docs require its
    /// Kubernetes upgrade in the same window; null where they make it optional (4.0, 4.1: "Upgrading the Kubernetes
    /// version is optional" [doc release-4.0/4.1 UGC "Upgrade the global cluster"]) or say nothing (4.2). 4.3: "Kubernetes
    /// — Required in the same window" [doc release-4.3 upgrade/overview.mdx "Upgrade Scope and Sequencing"], and 4.3's
    /// one Kubernetes version is 1.34 ("Supported for Cluster Creation" [doc release-4.3
    /// overview/kubernetes-support-matrix.mdx "Version Support Matrix"]; "ACP 4.3 adds support for Kubernetes 1.34").
    /// </summary>
    public int? GlobalKubernetesMinor { get; init; }

    // Administrator acknowledgement gates and the Kubernetes they guard [doc master UGC, PRE], as facts of the target line.

    /// <summary>[doc master UGC "Run preflight checks"] the default preflight set adds AdminAckRequired (gates in cpaas-system/admin-gates, acknowledgements in cpaas-system/admin-acks).</summary>
    public bool HasAdminAckGates { get; init; }

    /// <summary>The gates the docs name for this line, with what each requires before it is acknowledged.</summary>
    public IReadOnlyList<AdminGateDefinition> AdminGates { get; init; } = [];

    /// <summary>As a target: the node checks its Kubernetes needs on every node that will run it (kernel, cgroup); null where the docs ask none.</summary>
    public NodeReadinessRequirement? NodeReadiness { get; init; }

    /// <summary>The Cluster Version Operator's preflight (ClusterVersionShadow status.preflight) exists on this line.</summary>
    public bool HasClusterVersionOperator => ComponentUpgrade == ComponentUpgradeKind.ClusterVersionShadow;

    private static readonly PlatformLine V4Base = new()
    {
        Name = "4.x",
        First = new PlatformVersion(4, 0, 0, "4.0"),
        EtcdSync = EtcdSyncLine.V40,
        HasFourXPrerequisites = true,
    };

    /// <summary>[doc release-4.0 upgrade/upgrade_global_cluster.mdx, pre-upgrade.mdx tab "Upgrading from 3.16"].</summary>
    public static readonly PlatformLine V316 = new()
    {
        Name = "3.16",
        First = new PlatformVersion(3, 16, 0, "3.16"),
        EtcdSync = EtcdSyncLine.V316,
        HasThreeXUpgradeNotes = true,
        RequiresClickHouseUninstall = true,
        RunsElasticsearchV6 = true,
        RequiredIstioMinor = 20,
    };

    /// <summary>[doc release-4.0/4.1 upgrade/upgrade_global_cluster.mdx, pre-upgrade.mdx tab "Upgrading from 3.18"].</summary>
    public static readonly PlatformLine V318 = V316 with
    {
        Name = "3.18",
        First = new PlatformVersion(3, 18, 0, "3.18"),
        EtcdSync = EtcdSyncLine.V318,
        RequiresClickHouseUninstall = false,
        RunsElasticsearchV6 = false,
        RequiredIstioMinor = 22,
    };

    /// <summary>[doc release-4.0 upgrade/upgrade_global_cluster.mdx, pre-upgrade.mdx].</summary>
    public static readonly PlatformLine V40 = V4Base with { Name = "4.0", HasGitOpsPostUpgradeNotice = true };

    /// <summary>[doc release-4.1 upgrade/upgrade_global_cluster.mdx, pre-upgrade.mdx].</summary>
    public static readonly PlatformLine V41 = V40 with { Name = "4.1", First = new PlatformVersion(4, 1, 0, "4.1"), EtcdSync = EtcdSyncLine.V41 };

    /// <summary>[doc release-4.2 upgrade/upgrade_global_cluster.mdx, pre-upgrade.mdx].</summary>
    public static readonly PlatformLine V42 = V40 with
    {
        Name = "4.2",
        First = new PlatformVersion(4, 2, 0, "4.2"),
        EtcdSync = EtcdSyncLine.V42,
        TopoLvmUploadFrom = ["4.0", "4.1"],
        NeedsLogEssentials = true,
    };

    /// <summary>[doc release-4.3 upgrade/upgrade_global_cluster.mdx (tab "4.3.0"), pre-upgrade.mdx].</summary>
    public static readonly PlatformLine V430 = V4Base with
    {
        Name = "4.3.0",
        First = new PlatformVersion(4, 3, 0, "4.3.0"),
        EtcdSync = EtcdSyncLine.V430,
        ComponentUpgrade = ComponentUpgradeKind.ClusterVersionShadow,
        RequiresStandbyAlternativeUrl = false,
        HasPackagePreflight = true,
        HasSkipCheckArtifacts = true,
        ImageSyncFlag = "--only-sync-image",
        ReadsRegistryCredentialsFromSecret = true,
        TopoLvmUploadFrom = ["4.0"],
        NeedsLogEssentials = true,
        RequiresEveryPluginPublished = true,
        UpgradesAgnosticPluginsAfter = true,
        RequiresL5PluginsCompatible = true,
        GlobalKubernetesMinor = 34,
    };

    /// <summary>[doc release-4.3 upgrade/upgrade_global_cluster.mdx (tab "4.3.1+")]: the 4.3.0 facts with the larger synchronizer form, token secret and bootstrap job.</summary>
    public static readonly PlatformLine V431 = V430 with { Name = "4.3.1+", First = new PlatformVersion(4, 3, 1, "4.3.1"), EtcdSync = EtcdSyncLine.V431 };

    /// <summary>
    /// [doc master UGC, PRE]: the next line (unreleased; the docs' master branch): the 4.3.1+ facts, Kubernetes 1.35
    /// behind the administrator gate ack-4.4-kubernetes-1.35-kernel-update and its node readiness checks. No upgrade
    /// path to it is published yet (<see cref="UpgradePaths"/>); readiness toward it can be checked.
    /// </summary>
    public static readonly PlatformLine V44 = V431 with
    {
        Name = "4.4",
        First = new PlatformVersion(4, 4, 0, "4.4.0"),
        EtcdSync = EtcdSyncLine.V44,
        HasAdminAckGates = true,
        AdminGates = [AdminGateDefinition.Kubernetes135KernelUpdate],
        NodeReadiness = NodeReadinessRequirement.Kubernetes135,
        // [doc master PRE "ACP 4.4 Kubernetes 1.35 Node Readiness"] "ACP 4.4 upgrades clusters to Kubernetes 1.35."
        GlobalKubernetesMinor = 35,
    };

    /// <summary>Every documented line, oldest first.</summary>
    public static IReadOnlyList<PlatformLine> All { get; } = [V316, V318, V40, V41, V42, V430, V431, V44];

    /// <summary>The line a version belongs to: the newest line that starts at or before it (older than 3.16: 3.16; newer than the newest documented line: that line).</summary>
    public static PlatformLine For(PlatformVersion version) => All.LastOrDefault(l => version.CompareTo(l.First) >= 0) ?? V316;

    /// <summary>The line of a version text; null when it is not a version.</summary>
    public static PlatformLine? Of(string? version) => PlatformVersion.TryParse(version, out var parsed) ? For(parsed) : null;

    public override string ToString() => Name;
}
