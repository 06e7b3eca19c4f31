using GlobalUpgrade.Platform;
using static GlobalUpgrade.Readiness.ReadinessCheckNames;

namespace GlobalUpgrade.Readiness;

/// <summary>One documented post-upgrade item a machine can check: the target lines it applies to, where the docs say so, how it is judged.</summary>
public sealed record PostUpgradeCondition(string Check, string Source, Func<PlatformVersion, bool> AppliesTo, Func<PostUpgradeFacts, IEnumerable<CheckResult>> Judge);

/// <summary>
/// The post-upgrade items of the global cluster upgrade guide that a machine can check, in one table with their
/// citations (branches of alauda/acp-docs). The others ("Upgrade Alauda AI", "Upgrade Alauda DevOps", PKCE hardening
/// after every workload cluster, opening each L5 plugin's UI page) need a person and are not listed here.
/// </summary>
public static class PostUpgradeConditions
{
    private const string GlobalGuide = "docs/en/upgrade/upgrade_global_cluster.mdx";

    /// <summary>[doc: release-4.0/4.1/4.2 upgrade_global_cluster.mdx, INFO under "Upgrade the global cluster"] where the docs send the operator.</summary>
    public const string GitOpsGuide = "Upgrading Alauda Container Platform GitOps (/upgrade/upgrade_gitops_plugin.html#procedure)";

    /// <summary>[doc: release-4.0/4.1/4.2 same INFO] the plugin's name.</summary>
    public const string GitOpsDisplayName = "Alauda Container Platform GitOps";

    /// <summary>[doc: release-4.3 upgrade_global_cluster.mdx "Post-upgrade"] the L5 plugins to upgrade to 4.3-compatible versions.</summary>
    public static IReadOnlyList<string> L5DisplayNames { get; } =
        ["Alauda DevOps v3", "Alauda AI Essentials", "Alauda Hyperflux", "Alauda Container Platform Data Services Essentials"];

    public static IReadOnlyList<PostUpgradeCondition> Table { get; } =
    [
        new(GitOpsPodsHealthy, $"release-4.0, release-4.1, release-4.2 {GlobalGuide}, INFO under \"Upgrade the global cluster\": GitOps pods running abnormally after the upgrade → {GitOpsGuide}",
            to => PlatformLine.For(to).HasGitOpsPostUpgradeNotice, PostUpgradeRules.GitOps),
        new(AgnosticPluginUpgraded, $"release-4.3 {GlobalGuide} \"Upgrade Agnostic plugins from Marketplace\"; release-4.3 docs/en/upgrade/overview.mdx (Agnostic plugins are outside CVO)",
            to => PlatformLine.For(to).UpgradesAgnosticPluginsAfter, PostUpgradeRules.Agnostic),
        new(L5PluginCompatible, $"release-4.3 {GlobalGuide} \"Post-upgrade\" (L5 plugins to upgrade to ACP v4.3-compatible versions); release-4.3 docs/en/upgrade/overview.mdx \"Post-upgrade Security Hardening\"",
            to => PlatformLine.For(to).RequiresL5PluginsCompatible, PostUpgradeRules.L5Plugins),
        new(KubernetesVersionUpgraded, "release-4.3 docs/en/upgrade/overview.mdx \"Upgrade Scope and Sequencing\" (Kubernetes: Required in the same window); release-4.3 docs/en/overview/kubernetes-support-matrix.mdx \"Version Support Matrix\" (4.3: 1.34)",
            to => PlatformLine.For(to).GlobalKubernetesMinor is not null, PostUpgradeRules.Kubernetes),
        new(PluginNotDowngraded, $"release-4.2 {GlobalGuide} \"Known Issue in ACP 4.2.1\" (cluster plugins downgraded when not set to \"Do not upgrade\" or when Upgrade is pressed again)",
            to => PlatformLine.For(to).ComponentUpgrade == ComponentUpgradeKind.ClusterModule, PostUpgradePluginVersions.NotDowngraded),
        new(PluginNotBehind, $"release-4.0 {GlobalGuide} \"Upgrade the global cluster\" (review the component updates in the dialog); release-4.1 docs/en/extend/cluster_plugin.mdx \"Upgrade Process\"",
            to => PlatformLine.For(to).ComponentUpgrade == ComponentUpgradeKind.ClusterModule, PostUpgradePluginVersions.NotBehind),
        new(ManualStepConditions.Name, ManualStepConditions.Source, _ => true, ManualStepConditions.AfterUpgrade),
    ];

    /// <summary>Every post-upgrade item that applies to the target, judged on one cluster's facts.</summary>
    public static IReadOnlyList<CheckResult> Judge(PostUpgradeFacts facts) =>
        Table.Where(c => c.AppliesTo(facts.Target)).SelectMany(c => c.Judge(facts)).ToList();
}
