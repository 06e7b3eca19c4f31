using GlobalUpgrade.Platform;
using static GlobalUpgrade.Readiness.ReadinessCheckNames;

namespace GlobalUpgrade.Readiness;

/// <summary>One documented pre-upgrade condition: when it applies (source line → target line), where the docs say so, how it is judged.</summary>
public sealed record ReadinessCondition(string Check, string Source, Func<PlatformVersion, PlatformVersion, bool> AppliesTo, Func<ReadinessFacts, IEnumerable<CheckResult>> Judge);

/// <summary>
/// Every pre-upgrade condition the docs give, in one table with its citation (branches of alauda/acp-docs). Paths
/// are the supported ones (UpgradePaths); a condition of a "3.x → 4.x" note applies from 3.16/3.18, a "Starting from
/// 4.0" note to every 4.x target.
/// </summary>
public static class ReadinessConditions
{
    private const string PreUpgrade = "docs/en/upgrade/pre-upgrade.mdx";

    public static IReadOnlyList<ReadinessCondition> Table { get; } =
    [
        new(VersionUpgradePath, $"{PreUpgrade} \"Supported upgrade paths\" (release-4.0 … release-4.3)", (_, _) => true, ReadinessRules.Path),
        new(KubernetesVersionSupported, $"{PreUpgrade} \"Prerequisites\" tabs (release-4.0, release-4.1), \"Kubernetes prerequisites\" (release-4.2); release-4.3 upgrade_global_cluster.mdx Compatible Versions",
            (_, to) => PlatformLine.For(to).HasFourXPrerequisites, ReadinessRules.Kubernetes),
        new(MinioFreeSpace, $"{PreUpgrade} \"Important Notes\": /cpaas/minio ≥ 120 GB free (release-4.0 … release-4.3)", (_, to) => PlatformLine.For(to).HasFourXPrerequisites, ReadinessRules.Minio),
        new(CustomEtcdBackupTasksAbsent, $"{PreUpgrade} \"Important Notes\", \"Starting from 4.0\" (release-4.0, release-4.1); 4.3's CustomEtcdBackupCronJobsAbsent",
            (_, to) => PlatformLine.For(to).HasFourXPrerequisites, ReadinessRules.EtcdBackups),
        new(CostManagerAbsent, $"{PreUpgrade} \"Important Notes\": CostManager and Kubecost are deprecated (release-4.0, release-4.1)", (_, to) => PlatformLine.For(to).HasFourXPrerequisites, ReadinessRules.CostManager),
        new(IstioVersion, $"{PreUpgrade} \"Upgrade from 3.x\" tabs: Istio 1.22 from 3.18, 1.20 from 3.16 (release-4.0, release-4.1)", (from, _) => PlatformLine.For(from).HasThreeXUpgradeNotes, ReadinessRules.Istio),
        new(ClickHouseUninstalled, $"{PreUpgrade} \"Upgrade from 3.x\" tab 3.16: uninstall ClickHouse before, reinstall after (release-4.0, release-4.1)", (from, _) => PlatformLine.For(from).RequiresClickHouseUninstall, ReadinessRules.ClickHouse),
        new(ElasticsearchPrepared, $"{PreUpgrade} \"Upgrade from 3.x\" tabs: Elasticsearch node-role solution (3.18) / v6 cannot upgrade, see the checklist (3.16) (release-4.0, release-4.1)",
            (from, _) => PlatformLine.For(from).HasThreeXUpgradeNotes, ReadinessRules.Elasticsearch),
        new(TopoLvmPublished, $"{PreUpgrade} warning \"Alauda Build of TopoLVM\": upload before upgrading (release-4.2 from 4.0/4.1; release-4.3 from 4.0 only)",
            (from, to) => PlatformLine.For(to).TopoLvmUploadFrom.Contains(PlatformLine.For(from).Name), ReadinessRules.TopoLvm),
        new(LogEssentialsPublished, $"{PreUpgrade} warning \"Starting with v4.2 … Log Essentials\" (release-4.2, release-4.3)",
            (from, to) => PlatformLine.For(to).NeedsLogEssentials && !PlatformLine.For(from).NeedsLogEssentials, ReadinessRules.LogEssentials),
        new(ExtensionPublished, $"{PreUpgrade} \"Download the Packages\" / violet (release-4.0 … release-4.2); \"Step 2: Inventory the plugins\" (release-4.3)",
            (_, _) => true, ReadinessRules.Extensions),
        new(NodeKernelVersion, $"master {PreUpgrade} \"ACP 4.4 Kubernetes 1.35 Node Readiness\": kernel 5.8 or later and cgroup v2 on every node (with {NodeCgroupV2})",
            (_, to) => PlatformLine.For(to).NodeReadiness is not null, NodeReadinessRules.Judge),
        new(AdminGateAcknowledged, AdminGateRules.Source, (_, to) => PlatformLine.For(to).HasAdminAckGates, AdminGateRules.Judge),
        new(ManualStepConditions.Name, ManualStepConditions.Source, ManualStepConditions.HasStepsBefore, ManualStepConditions.BeforeUpgrade),
        new("CvoPreflight", CvoPreflight.Source, (_, to) => PlatformLine.For(to).HasClusterVersionOperator, ReadinessRules.CvoChecks),
        EtcdSyncEncryptionCondition.Condition,
    ];

    /// <summary>Every applicable condition judged on one cluster's facts; with an unreadable running version only the path check (NotChecked).</summary>
    public static IReadOnlyList<CheckResult> Judge(ReadinessFacts facts)
    {
        if (facts.From is not { } from)
        {
            return ReadinessRules.Path(facts).ToList();
        }

        return Table.Where(c => c.AppliesTo(from, facts.Target)).SelectMany(c => c.Judge(facts)).ToList();
    }
}
