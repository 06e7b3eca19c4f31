using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

/// <summary>The post-upgrade table: every item against facts that meet it and facts that break it.</summary>
public sealed class PostUpgradeConditionsTests
{
    private static readonly InstalledPlugin GitOps = new("global", "gitops", "v4.2.0", "global-abc") { DisplayName = "Alauda Container Platform GitOps" };

    private static PostUpgradeFacts Facts(string to, IReadOnlyList<InstalledPlugin>? plugins = null, IReadOnlyList<PublishedPlugin>? published = null, IReadOnlyList<PodHealth>? pods = null) => new()
    {
        Cluster = "primary",
        Target = PlatformVersion.Parse(to),
        FromLines = [to.StartsWith("4.3", StringComparison.Ordinal) ? "4.2" : "4.1"],
        InstalledPlugins = plugins ?? [],
        PublishedPlugins = published ?? [],
        GitOpsPods = pods,
    };

    private static CheckResult One(PostUpgradeFacts facts, string check) =>
        Assert.Single(PostUpgradeConditions.Judge(facts), r => r.Check == check);

    // The documented manual steps are judged too (ManualStepConditionsTests); these tests are about the other items.
    private static IEnumerable<string> MachineItems(PostUpgradeFacts facts) =>
        PostUpgradeConditions.Judge(facts).Select(r => r.Check).Where(c => !ManualSteps.Table.Any(s => s.Check == c));

    [Fact]
    public void EveryItemCitesItsDocAndAppliesWhereTheDocsSaySo()
    {
        Assert.All(PostUpgradeConditions.Table, c => Assert.Matches(@"release-4\.\d docs/en/.*\.mdx", c.Source));
        Assert.Equal([ReadinessCheckNames.GitOpsPodsHealthy, ReadinessCheckNames.PluginNotDowngraded, ReadinessCheckNames.PluginNotBehind], MachineItems(Facts("4.2")));
        Assert.Equal([ReadinessCheckNames.AgnosticPluginUpgraded, ReadinessCheckNames.L5PluginCompatible, ReadinessCheckNames.KubernetesVersionUpgraded], MachineItems(Facts("4.3.0")));
        Assert.All(PostUpgradeConditions.Judge(Facts("4.3.0")), r => Assert.False(string.IsNullOrEmpty(r.Detail?["Source"] as string)));
    }

    [Fact]
    public void GitOpsPodsMustAllBeRunningAndReady()
    {
        var healthy = One(Facts("4.2", [GitOps], pods: [new("argocd-server", "Running", true, null), new("argocd-init", "Succeeded", false, "Completed")]), ReadinessCheckNames.GitOpsPodsHealthy);
        Assert.Equal(CheckState.Passed, healthy.State);
        Assert.Equal("primary/global/gitops", healthy.Target);

        var broken = One(Facts("4.2", [GitOps], pods: [new("argocd-server", "Running", true, null), new("argocd-repo", "Running", false, "CrashLoopBackOff")]), ReadinessCheckNames.GitOpsPodsHealthy);
        Assert.Equal(CheckState.Failed, broken.State);
        Assert.Contains("argocd-repo (Running, not ready, CrashLoopBackOff)", broken.Message, StringComparison.Ordinal);
        Assert.Contains(PostUpgradeConditions.GitOpsGuide, broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GitOpsWithoutPodsInTheAssumedNamespaceIsNotChecked()
    {
        var result = One(Facts("4.1", [GitOps], pods: []), ReadinessCheckNames.GitOpsPodsHealthy);
        Assert.Equal(CheckState.NotChecked, result.State);
        Assert.False(result.Passed);
        Assert.Contains("GitOpsNamespace", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GitOpsOnAWorkloadClusterIsNotTheGlobalClustersItem()
    {
        var result = One(Facts("4.2", [GitOps with { ClusterName = "business-1" }]), ReadinessCheckNames.GitOpsPodsHealthy);
        Assert.Equal(CheckState.Passed, result.State);
        Assert.Equal("GitOps not installed", result.Actual);
    }

    [Fact]
    public void AnAgnosticPluginOlderThanAPublishedOrOfferedVersionFails()
    {
        InstalledPlugin velero = new("global", "velero", "v1.2.0", "global-v");
        InstalledPlugin aligned = new("global", "metallb", "v4.2.0", "global-m");
        var current = PostUpgradeConditions.Judge(Facts("4.3.0", [velero, aligned], [new("velero", "v1.2.0"), new("velero", "v1.1.0")]))
            .Where(r => r.Check == ReadinessCheckNames.AgnosticPluginUpgraded).ToList();
        Assert.Equal(CheckState.Passed, Assert.Single(current).State);
        Assert.Equal("primary/global/velero", current[0].Target);

        var published = One(Facts("4.3.0", [velero], [new("velero", "v1.3.0")]), ReadinessCheckNames.AgnosticPluginUpgraded);
        Assert.Equal(CheckState.Failed, published.State);
        Assert.Contains("v1.3.0", published.Actual, StringComparison.Ordinal);

        var offered = One(Facts("4.3.0", [velero with { AvailableVersions = ["v1.2.5"] }]), ReadinessCheckNames.AgnosticPluginUpgraded);
        Assert.Equal(CheckState.Failed, offered.State);
    }

    [Fact]
    public void AnL5PluginIsFoundByItsDocumentedNameAndFailsOnlyWhenANewerVersionIsThere()
    {
        InstalledPlugin hyperflux = new("global", "hf", "v1.1.0", "global-h") { DisplayName = "Alauda Hyperflux" };
        var newest = One(Facts("4.3.1", [hyperflux], [new("hf", "v1.1.0")]), ReadinessCheckNames.L5PluginCompatible);
        Assert.Equal(CheckState.NotChecked, newest.State);
        Assert.False(newest.Passed);

        var older = One(Facts("4.3.1", [hyperflux], [new("hf", "v1.2.0")]), ReadinessCheckNames.L5PluginCompatible);
        Assert.Equal(CheckState.Failed, older.State);
        Assert.Contains("Alauda Hyperflux v1.1.0", older.Message, StringComparison.Ordinal);

        // An L5 plugin is judged once, as L5, not also as Agnostic.
        Assert.DoesNotContain(PostUpgradeConditions.Judge(Facts("4.3.1", [hyperflux], [new("hf", "v1.2.0")])), r => r.Target.EndsWith("/hf", StringComparison.Ordinal) && r.Check == ReadinessCheckNames.AgnosticPluginUpgraded);
    }

    [Fact]
    public void TheAssumedModuleNamesCanBeReplaced()
    {
        InstalledPlugin custom = new("global", "acp-gitops-x", "v4.2.0", "global-g");
        Assert.Equal("GitOps not installed", One(Facts("4.2", [custom]), ReadinessCheckNames.GitOpsPodsHealthy).Actual);
        var facts = Facts("4.2", [custom], pods: [new("p", "Pending", false, "ImagePullBackOff")]) with
        {
            Assumptions = ReadinessAssumptions.Default.With(new Dictionary<string, string?> { ["GitOpsModules"] = "acp-gitops" }),
        };
        Assert.Equal(CheckState.Failed, One(facts, ReadinessCheckNames.GitOpsPodsHealthy).State);
    }

    [Theory]
    [InlineData("4.3.0", "v1.31.4", CheckState.Failed)]
    [InlineData("4.3.1", "v1.33.2", CheckState.Failed)]
    [InlineData("4.3.0", null, CheckState.Failed)]
    [InlineData("4.3.1", "v1.34.1", CheckState.Passed)]
    public void OnFourThreeTheGlobalClustersKubernetesMustBeTheLinesOwn(string to, string? kubernetes, CheckState state)
    {
        var result = One(Facts(to) with { KubernetesVersion = kubernetes }, ReadinessCheckNames.KubernetesVersionUpgraded);
        Assert.Equal(state, result.State);
        Assert.Equal($"1.{PlatformLine.For(PlatformVersion.Parse(to)).GlobalKubernetesMinor}", result.Expected);
        Assert.Equal(kubernetes ?? "not read", result.Actual);
    }

    [Theory]
    [InlineData("4.0")]
    [InlineData("4.1")]
    [InlineData("4.2")]
    public void BeforeFourThreeTheKubernetesUpgradeIsNotChecked(string to) =>
        Assert.DoesNotContain(PostUpgradeConditions.Judge(Facts(to) with { KubernetesVersion = "v1.28.0" }), r => r.Check == ReadinessCheckNames.KubernetesVersionUpgraded);
}
