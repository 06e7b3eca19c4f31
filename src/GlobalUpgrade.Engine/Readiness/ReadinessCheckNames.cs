namespace GlobalUpgrade.Readiness;

/// <summary>
/// The Check column of Test-GlobalUpgradeReadiness. Where the docs name a check (4.3's preflight set), the same name
/// is used; the others name the documented condition.
/// </summary>
public static class ReadinessCheckNames
{
    public const string VersionUpgradePath = nameof(VersionUpgradePath);
    public const string KubernetesVersionSupported = nameof(KubernetesVersionSupported);
    public const string MinioFreeSpace = nameof(MinioFreeSpace);
    public const string CustomEtcdBackupTasksAbsent = nameof(CustomEtcdBackupTasksAbsent);
    public const string CostManagerAbsent = nameof(CostManagerAbsent);
    public const string IstioVersion = nameof(IstioVersion);
    public const string ClickHouseUninstalled = nameof(ClickHouseUninstalled);
    public const string ElasticsearchPrepared = nameof(ElasticsearchPrepared);
    public const string TopoLvmPublished = nameof(TopoLvmPublished);
    public const string LogEssentialsPublished = nameof(LogEssentialsPublished);
    public const string ExtensionPublished = nameof(ExtensionPublished);

    // 4.4 [doc master PRE "ACP 4.4 Kubernetes 1.35 Node Readiness", UGC "Handle administrator acknowledgement gates"].
    public const string NodeKernelVersion = nameof(NodeKernelVersion);
    public const string NodeCgroupV2 = nameof(NodeCgroupV2);
    public const string AdminGateAcknowledged = nameof(AdminGateAcknowledged);

    /// <summary>The preflight check of the Cluster Version Operator that fails while a gate is not acknowledged [doc master UGC].</summary>
    public const string AdminAckRequired = nameof(AdminAckRequired);

    // After the upgrade (the runbooks' PostChecks, PostUpgradeConditions).
    public const string GitOpsPodsHealthy = nameof(GitOpsPodsHealthy);
    public const string AgnosticPluginUpgraded = nameof(AgnosticPluginUpgraded);
    public const string L5PluginCompatible = nameof(L5PluginCompatible);
    public const string KubernetesVersionUpgraded = nameof(KubernetesVersionUpgraded);
    public const string PluginNotDowngraded = nameof(PluginNotDowngraded);
    public const string PluginNotBehind = nameof(PluginNotBehind);

    /// <summary>The summary line of a 4.3 preflight (upgrade.sh --preflight "Summary", CVSH PreflightReady).</summary>
    public const string PreflightSummary = nameof(PreflightSummary);
}
