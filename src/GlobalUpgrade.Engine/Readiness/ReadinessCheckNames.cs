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

    // After the upgrade (the runbooks' PostChecks, PostUpgradeConditions).
    public const string GitOpsPodsHealthy = nameof(GitOpsPodsHealthy);
    public const string AgnosticPluginUpgraded = nameof(AgnosticPluginUpgraded);
    public const string L5PluginCompatible = nameof(L5PluginCompatible);
    public const string PluginNotDowngraded = nameof(PluginNotDowngraded);
    public const string PluginNotBehind = nameof(PluginNotBehind);

    /// <summary>The summary line of a 4.3 preflight (upgrade.sh --preflight "Summary", CVSH PreflightReady).</summary>
    public const string PreflightSummary = nameof(PreflightSummary);
}
