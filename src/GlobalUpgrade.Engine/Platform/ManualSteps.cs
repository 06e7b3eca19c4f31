namespace GlobalUpgrade.Platform;

/// <summary>When a documented manual step belongs in the procedure.</summary>
public enum ManualStepPhase
{
    /// <summary>Before the global cluster's upgrade is triggered.</summary>
    BeforeUpgrade,

    /// <summary>Once the global cluster runs the target.</summary>
    AfterUpgrade,

    /// <summary>After the global cluster, before the workload clusters are upgraded.</summary>
    BeforeWorkloadClusters,
}

/// <summary>
/// One documented step of the upgrade a machine cannot do: what to do, when, on which paths (source line → target
/// line; DR only where the docs say so), and where the docs say it.
/// </summary>
public sealed record ManualStep(string Check, ManualStepPhase Phase, string Action, string Source, Func<PlatformVersion, PlatformVersion, bool> AppliesTo)
{
    /// <summary>Only on a global DR pair.</summary>
    public bool DrOnly { get; init; }

    /// <summary>The plugin's display name, where the step is "have this plugin installed" (judged from the ModuleInfos).</summary>
    public string? PluginDisplayName { get; init; }
}

/// <summary>
/// The documented steps of the global-cluster upgrade that need a person, per path, in the order the docs put them
/// (alauda/acp-docs, docs/en/upgrade/pre-upgrade.mdx = PRE and upgrade_global_cluster.mdx = UGC of each release
/// branch). The readiness gate and the post-upgrade checks show each as a condition (Failed where the API shows it,
/// else NotChecked "needs a person"); the runbook's report lists those of its path.
/// </summary>
public static class ManualSteps
{
    public const string TopoLvmMigrateModule = "topolvm-migrate-catalog-updater";

    private static bool From(PlatformVersion from, params string[] lines) => lines.Contains(PlatformLine.For(from).Name, StringComparer.Ordinal);

    private static bool FromThreeX(PlatformVersion from) => from.Major == 3;

    private static bool To(PlatformVersion to, params string[] lines) => lines.Contains(to.Line, StringComparer.Ordinal);

    public static IReadOnlyList<ManualStep> Table { get; } =
    [
        new("SupportChecklistRun", ManualStepPhase.BeforeUpgrade,
            "Get the checklist script from technical support and run it against the platform.",
            "[doc release-4.0 PRE \"Run the Checklist\"; release-4.1, release-4.2 same]", (_, to) => To(to, "4.0", "4.1", "4.2")),
        new("PackageDiskSpaceChecked", ManualStepPhase.BeforeUpgrade,
            "If the packages and the path they are extracted to are on the same disk, make sure that disk has at least 250 GB available.",
            "[doc release-4.0 PRE \"Upgrade from 3.x\" > \"Download the Packages\" note; release-4.1 PRE same]", (from, to) => FromThreeX(from) && To(to, "4.0", "4.1")),
        new("GlobalNodeIsolationChecked", ManualStepPhase.BeforeUpgrade,
            "Check whether the global cluster's nodes have Platform Node Isolation enabled; if they do, contact technical support for the solution before upgrading.",
            "[doc release-4.2 PRE warning \"global Cluster Platform Node Isolation\"]", (_, to) => To(to, "4.2")),
        new("MySqlPxcMigrated", ManualStepPhase.BeforeUpgrade,
            "MySQL-PXC instances become unmanaged once the MySQL operator is upgraded with the global cluster: migrate them first (MySQL Operator Upgrade Guide).",
            "[doc release-4.3 PRE warning \"MySQL-PXC Removed in Alauda Database Service for MySQL v4.3.0\"; release-4.3 UGC same]", (_, to) => To(to, "4.3")),
        new("ApplicationServicesPrepared", ManualStepPhase.BeforeUpgrade,
            "If Application Services are installed, do the additional steps of the Application Services upgrade guide before upgrading the global cluster.",
            "[doc release-4.0 UGC \"Standard procedure\" warning]", (from, to) => FromThreeX(from) && To(to, "4.0")),
        new("StandbyPackagesPushedToStandby", ManualStepPhase.BeforeUpgrade,
            "Push the standby's packages with violet to the standby itself: --dest-repo <standby VIP> and the standby registry's credentials (or --no-auth); otherwise they land in the primary's registry and the standby cannot install or upgrade its extensions.",
            "[doc release-4.0 UGC \"Upload images\"; release-4.1 UGC same; release-4.3 extend/upload_package.mdx \"Upload an Operator to a Standby Global Cluster\"]",
            (_, to) => to.Major >= 4) { DrOnly = true },
        new("TopoLvmPackageSeparated", ManualStepPhase.BeforeUpgrade,
            "If the package directory holds the Alauda Build of TopoLVM package, take it out before \"Create only CRs from all packages in a directory\", then create its CRs separately with --target-catalog-source \"platform\".",
            "[doc release-4.1 UGC \"Trigger the upgrade\" warning 2]", (from, to) => From(from, "3.18", "4.0") && To(to, "4.1")),
        new("TopoLvmRemoved", ManualStepPhase.BeforeUpgrade,
            "If Alauda Build of TopoLVM is installed: back up its ArtifactVersion (topolvm-artifact.yaml) and delete it on the cluster, then delete the topolvm-migrate-catalog-updater ModuleInfo on the global cluster — otherwise, the cluster upgrade will fail.",
            "[doc release-4.1 UGC \"(Conditional) Remove TopoLVM\"]", (from, to) => From(from, "3.18") && To(to, "4.1")),
        new("DataServicesUpgraded", ManualStepPhase.AfterUpgrade,
            "If Data Services are installed, upgrade the related extensions with the clusters (Upgrade Data Services).",
            "[doc release-4.0 UGC \"Upgrade the global cluster\" warning; release-4.1 UGC same]", (from, to) => FromThreeX(from) && To(to, "4.0", "4.1")),
        new("TopoLvmRecreated", ManualStepPhase.AfterUpgrade,
            "If TopoLVM was removed before the upgrade: kubectl create -f topolvm-artifact.yaml on a control-plane node, then wait 5–10 minutes for TopoLVM to upgrade.",
            "[doc release-4.1 UGC \"(Conditional) Upgrade TopoLVM\"]", (from, to) => From(from, "3.18") && To(to, "4.1")),
        new("ProductDocsInstalled", ManualStepPhase.AfterUpgrade,
            "Install the Alauda Container Platform Product Docs plugin on the global cluster (Marketplace > Cluster Plugins); without it the platform's help links answer 404.",
            "[doc release-4.0 UGC \"Install Product Docs Plugin\"; release-4.1 UGC same]", (from, to) => FromThreeX(from) && to.Major >= 4)
        {
            PluginDisplayName = "Alauda Container Platform Product Docs",
        },
        new("ClusterEnhancerInstalled", ManualStepPhase.AfterUpgrade,
            "Make sure the Alauda Container Platform Cluster Enhancer plugin is installed on the global cluster (Marketplace > Cluster Plugins).",
            "[doc release-4.1 UGC \"Install Alauda Container Platform Cluster Enhancer Plugin\"; release-4.2 UGC same]", (_, to) => To(to, "4.1", "4.2"))
        {
            PluginDisplayName = "Alauda Container Platform Cluster Enhancer",
        },
        new("ServiceMeshEssentialsPrepared", ManualStepPhase.BeforeWorkloadClusters,
            "If Service Mesh v1 is installed, follow the Alauda Service Mesh Essentials Cluster Plugin documentation before upgrading the workload clusters.",
            "[doc release-4.0 UGC \"(Conditional) Install Alauda Service Mesh Essentials\"; release-4.1 same; release-4.2, release-4.3 \"(Conditional) Upgrade Alauda Service Mesh Essentials\"]",
            (_, to) => to.Major >= 4),
    ];

    /// <summary>The steps of one path, in the order they are done (phase, then the docs' order).</summary>
    public static IReadOnlyList<ManualStep> Of(PlatformVersion from, PlatformVersion to, bool dr) =>
        Table.Where(s => s.AppliesTo(from, to) && (dr || !s.DrOnly)).OrderBy(s => s.Phase).ToList();

    /// <summary>The phase in words, for reports.</summary>
    public static string Describe(ManualStepPhase phase) => phase switch
    {
        ManualStepPhase.BeforeUpgrade => "before the upgrade",
        ManualStepPhase.AfterUpgrade => "after the upgrade",
        _ => "before the workload clusters",
    };
}
