using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

/// <summary>The rule table: every condition against facts that pass it and facts that fail it.</summary>
public sealed class ReadinessConditionsTests
{
    private static ReadinessFacts Facts(string from, string to, Func<ReadinessFacts, ReadinessFacts>? change = null)
    {
        var facts = new ReadinessFacts
        {
            Cluster = "primary",
            Target = PlatformVersion.Parse(to),
            RunningVersion = from,
            ManagedClusters = [new("global", "1.32.3"), new("business-1", "1.32.1")],
            EtcdBackupTasks = ["etcd-backup-default"],
            ControlPlaneNodes = ["10.0.0.1", "10.0.0.2"],
            MinioSpace = [new("10.0.0.1", "/cpaas/minio", 500, null), new("10.0.0.2", "/cpaas", 130, null)],
        };
        return change is null ? facts : change(facts);
    }

    /// <summary>The module's own results of a check (the 4.3 CVO reports some of the same names under &lt;cluster&gt;/preflight).</summary>
    private static List<CheckResult> Judge(ReadinessFacts facts, string check) =>
        ReadinessConditions.Judge(facts).Where(r => r.Check == check && !r.Target.EndsWith("/preflight", StringComparison.Ordinal)).ToList();

    [Fact]
    public void EveryConditionCitesItsDoc()
    {
        Assert.All(ReadinessConditions.Table, c => Assert.Matches(@"release-4\.\d|master docs/|pre-upgrade\.mdx", c.Source));
        Assert.All(KubernetesPrerequisites.Table, r => Assert.Contains("release-4.", r.Citation, StringComparison.Ordinal));
        Assert.All(ReadinessConditions.Judge(Facts("v4.1.0", "4.2")), r => Assert.False(string.IsNullOrEmpty(r.Detail?["Source"] as string)));
    }

    [Theory]
    [InlineData("v4.1.0", "4.2", CheckState.Passed)]
    [InlineData("v4.1.2", "4.1.3", CheckState.Passed)]
    [InlineData("v4.2.0", "4.2.0", CheckState.Passed)]
    [InlineData("v4.0.1", "4.3", CheckState.Passed)]
    [InlineData("v3.16.0", "4.1", CheckState.Failed)]
    [InlineData("v4.1.0", "4.0", CheckState.Failed)]
    public void VersionUpgradePathFollowsTheDocumentedPaths(string from, string to, CheckState state) =>
        Assert.Equal(state, Assert.Single(Judge(Facts(from, to), ReadinessCheckNames.VersionUpgradePath)).State);

    [Fact]
    public void AnUnreadableRunningVersionChecksNothingAndPassesNothing()
    {
        var results = ReadinessConditions.Judge(Facts("latest", "4.2"));
        var only = Assert.Single(results);
        Assert.Equal((ReadinessCheckNames.VersionUpgradePath, CheckState.NotChecked, false), (only.Check, only.State, only.Passed));
    }

    [Theory]
    [InlineData("v3.16.1", "4.0", "1.28.2", "1.30.1")]
    [InlineData("v3.18.0", "4.0", "1.30.4", "1.28.2")]
    [InlineData("v3.18.0", "4.1", "1.30.4", "1.31.1")]
    [InlineData("v4.0.2", "4.1", "1.31.4", "1.30.4")]
    [InlineData("v4.0.2", "4.2", "1.31.4", "1.30.4")]
    [InlineData("v4.1.0", "4.2", "1.32.3", "1.31.4")]
    [InlineData("v4.2.0", "4.3", "1.34.0", "1.30.9")]
    [InlineData("v4.1.0", "4.3", "1.31.0", "1.35.0")]
    public void KubernetesVersionSupportedNamesEachClusterOutsideThePathsRange(string from, string to, string inside, string outside)
    {
        var results = Judge(Facts(from, to, f => f with { ManagedClusters = [new("global", inside), new("business-1", outside)] }), ReadinessCheckNames.KubernetesVersionSupported);
        Assert.Equal(2, results.Count);
        Assert.Equal(("primary/global", CheckState.Passed), (results[0].Target, results[0].State));
        Assert.Equal(("primary/business-1", CheckState.Failed, false), (results[1].Target, results[1].State, results[1].Passed));
        Assert.Contains("business-1", results[1].Message, StringComparison.Ordinal);
        Assert.Contains(outside, results[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KubernetesVersionSupportedCanBeOverriddenAndSaysWhenItCannotRead()
    {
        var overridden = Judge(Facts("v4.1.0", "4.2", f => f with { KubernetesOverride = KubernetesPrerequisites.Parse("1.33+", "4.1", "4.2") }), ReadinessCheckNames.KubernetesVersionSupported);
        Assert.All(overridden, r => Assert.Equal(CheckState.Failed, r.State));
        var unreadable = Judge(Facts("v4.1.0", "4.2", f => f with { ManagedClusters = [new("global", null)] }), ReadinessCheckNames.KubernetesVersionSupported);
        Assert.Equal(CheckState.NotChecked, Assert.Single(unreadable).State);
        var none = Judge(Facts("v4.1.0", "4.2", f => f with { ManagedClusters = [] }), ReadinessCheckNames.KubernetesVersionSupported);
        Assert.Equal(CheckState.NotChecked, Assert.Single(none).State);
        Assert.Equal(ErrorIds.InvalidKubernetesRange, Assert.Throws<GlobalUpgradeException>(() => KubernetesPrerequisites.Parse("newest", "4.1", "4.2")).ErrorId);
    }

    [Fact]
    public void MinioFreeSpaceNeeds120GbOnEachNodeAndIsNotCheckedWithoutNodeAccess()
    {
        var measured = Judge(Facts("v4.1.0", "4.2", f => f with { MinioSpace = [new("10.0.0.1", "/cpaas/minio", 500, null), new("10.0.0.2", "/cpaas", 119.9, null), new("10.0.0.3", null, null, "connection refused")] }), ReadinessCheckNames.MinioFreeSpace);
        Assert.Equal([CheckState.Passed, CheckState.Failed, CheckState.NotChecked], measured.Select(r => r.State));
        Assert.Equal("primary/10.0.0.2", measured[1].Target);
        var noAccess = Judge(Facts("v4.1.0", "4.2", f => f with { MinioSpace = null }), ReadinessCheckNames.MinioFreeSpace);
        Assert.Equal(2, noAccess.Count);
        Assert.All(noAccess, r => Assert.Equal((CheckState.NotChecked, false), (r.State, r.Passed)));
        Assert.All(noAccess, r => Assert.Contains("-Local", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void CustomEtcdBackupTasksFailAndAnUnservedResourceIsNotChecked()
    {
        Assert.Equal(CheckState.Passed, Assert.Single(Judge(Facts("v4.1.0", "4.2"), ReadinessCheckNames.CustomEtcdBackupTasksAbsent)).State);
        var custom = Assert.Single(Judge(Facts("v4.1.0", "4.2", f => f with { EtcdBackupTasks = ["etcd-backup-default", "nightly"] }), ReadinessCheckNames.CustomEtcdBackupTasksAbsent));
        Assert.Equal((CheckState.Failed, "nightly"), (custom.State, custom.Actual));
        var unserved = Assert.Single(Judge(Facts("v4.1.0", "4.2", f => f with { EtcdBackupTasks = null }), ReadinessCheckNames.CustomEtcdBackupTasksAbsent));
        Assert.Equal(CheckState.NotChecked, unserved.State);
        Assert.Contains("[assumed]", unserved.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CostManagerAndKubecostFailWhenInstalled()
    {
        Assert.Equal(CheckState.Passed, Assert.Single(Judge(Facts("v4.0.0", "4.1"), ReadinessCheckNames.CostManagerAbsent)).State);
        var installed = Assert.Single(Judge(Facts("v4.0.0", "4.1", f => f with { InstalledPlugins = [new("business-1", "kubecost", "v4.0.0", "kubecost-x1")] }), ReadinessCheckNames.CostManagerAbsent));
        Assert.Equal(CheckState.Failed, installed.State);
        Assert.Contains("kubecost", installed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PluginSpecificItemsFollowTheirPathsAndTheInstalledPlugins()
    {
        InstalledPlugin Plugin(string module, string version) => new("global", module, version, module + "-abc");
        var from318 = Facts("v3.18.0", "4.1", f => f with { InstalledPlugins = [Plugin("istio", "1.20.3"), Plugin("elasticsearch", "v3.18.0")] });
        Assert.Equal(CheckState.Failed, Assert.Single(Judge(from318, ReadinessCheckNames.IstioVersion)).State);
        Assert.Equal(CheckState.Passed, Assert.Single(Judge(from318 with { InstalledPlugins = [Plugin("istio", "1.22.1")] }, ReadinessCheckNames.IstioVersion)).State);
        Assert.Equal(CheckState.NotChecked, Assert.Single(Judge(from318, ReadinessCheckNames.ElasticsearchPrepared)).State);
        Assert.Empty(Judge(from318, ReadinessCheckNames.ClickHouseUninstalled));

        var from316 = Facts("v3.16.0", "4.0", f => f with { ManagedClusters = [new("global", "1.28.0")], InstalledPlugins = [Plugin("clickhouse", "v3.16.0")] });
        Assert.Equal(CheckState.Failed, Assert.Single(Judge(from316, ReadinessCheckNames.ClickHouseUninstalled)).State);
        Assert.Empty(Judge(Facts("v4.1.0", "4.2", f => f with { InstalledPlugins = [Plugin("clickhouse", "v4.1.0")] }), ReadinessCheckNames.ClickHouseUninstalled));

        var topolvm = Facts("v4.1.0", "4.2", f => f with { InstalledPlugins = [Plugin("topolvm", "v4.1.0"), Plugin("log-storage", "v4.1.0")] });
        Assert.Equal(CheckState.Failed, Assert.Single(Judge(topolvm, ReadinessCheckNames.TopoLvmPublished)).State);
        Assert.Equal(CheckState.Failed, Assert.Single(Judge(topolvm, ReadinessCheckNames.LogEssentialsPublished)).State);
        var pushed = topolvm with { PublishedPlugins = [new("topolvm", "v4.2.0"), new("log-essentials", "v4.2.1")] };
        Assert.Equal(CheckState.Passed, Assert.Single(Judge(pushed, ReadinessCheckNames.TopoLvmPublished)).State);
        Assert.Equal(CheckState.Passed, Assert.Single(Judge(pushed, ReadinessCheckNames.LogEssentialsPublished)).State);
        // 4.1 → 4.3 needs no TopoLVM push (release-4.3 pre-upgrade.mdx: only from 4.0).
        Assert.Empty(Judge(topolvm with { Target = PlatformVersion.Parse("4.3") }, ReadinessCheckNames.TopoLvmPublished));
    }

    [Fact]
    public void ExtensionPublishedListsEveryInstalledPluginWithItsTargetVersion()
    {
        var facts = Facts("v4.2.0", "4.3", f => f with
        {
            InstalledPlugins = [new("global", "etcd-sync", "v4.2.0", "es-1"), new("global", "metallb", "v4.2.0", "mlb-1"), new("business-1", "gitlab", "v17.1.0", "gl-1")],
            PublishedPlugins = [new("etcd-sync", "v4.2.0"), new("etcd-sync", "v4.3.0"), new("metallb", "v4.2.0"), new("gitlab", "v17.1.0")],
        });
        var results = Judge(facts, ReadinessCheckNames.ExtensionPublished).ToDictionary(r => r.Target);
        Assert.Equal(CheckState.Passed, results["primary/global/etcd-sync"].State);
        Assert.Equal(CheckState.Failed, results["primary/global/metallb"].State);
        Assert.Contains("violet", results["primary/global/metallb"].Message, StringComparison.Ordinal);
        Assert.Equal(CheckState.NotChecked, results["primary/business-1/gitlab"].State);
        // Before 4.3 an absent target plugin may come with the core package: not checked, never passed.
        var before43 = Judge(facts with { RunningVersion = "v4.1.0", Target = PlatformVersion.Parse("4.2"), InstalledPlugins = [new("global", "metallb", "v4.1.0", "mlb-1")], PublishedPlugins = [new("metallb", "v4.1.0")] }, ReadinessCheckNames.ExtensionPublished);
        Assert.Equal(CheckState.NotChecked, Assert.Single(before43).State);
    }

    [Fact]
    public void TheCvoPreflightIsJudgedPerDocumentedCheckAndNoDataIsNeverPassed()
    {
        var none = ReadinessConditions.Judge(Facts("v4.2.0", "4.3")).Where(r => r.Check == "ClusterRunning").ToList();
        Assert.Equal(CheckState.NotChecked, Assert.Single(none).State);
        var noCvoResults = ReadinessConditions.Judge(Facts("v4.2.0", "4.3")).Where(r => r.Target == "primary/preflight").ToList();
        Assert.Equal(CvoPreflight.DocumentedChecks.Count, noCvoResults.Count);

        var shadow = JsonNode.Parse("""
            {"status":{"conditions":[{"type":"PreflightReady","status":"False","reason":"ChecksFailed"}],
             "preflight":{"observedAt":"2026-11-30T10:00:00Z","checks":[
               {"name":"ResourcePatchUpgradeable","policy":"Once","state":"Failed","reason":"UnexemptResourcePatches","message":"rp-a"},
               {"name":"ClusterRunning","state":"Passed"},
               {"name":"PlatformLicense","state":"Retry","reason":"LicensePending"}]}}}
            """)!.AsObject();
        var results = ReadinessConditions.Judge(Facts("v4.2.0", "4.3", f => f with { ClusterVersionShadow = shadow })).Where(r => r.Target == "primary/preflight").ToDictionary(r => r.Check);
        Assert.Equal(CheckState.Failed, results[ReadinessCheckNames.PreflightSummary].State);
        Assert.Equal(CheckState.Failed, results["ResourcePatchUpgradeable"].State);
        Assert.Contains("UnexemptResourcePatches", results["ResourcePatchUpgradeable"].Message, StringComparison.Ordinal);
        Assert.Equal(CheckState.Passed, results["ClusterRunning"].State);
        Assert.Equal((CheckState.NotChecked, false), (results["PlatformLicense"].State, results["PlatformLicense"].Passed));
        Assert.Equal(CheckState.NotChecked, results["ModuleInfoStable"].State);
        Assert.DoesNotContain(ReadinessConditions.Judge(Facts("v4.1.0", "4.2", f => f with { ClusterVersionShadow = shadow })), r => r.Target == "primary/preflight");
    }

    [Fact]
    public void AssumptionsCanBeReplacedAndUnknownNamesAreRefused()
    {
        var a = ReadinessAssumptions.Default.With(new Dictionary<string, string?> { ["costmanagermodules"] = "cm, kc", ["MinioMinimumFreeGB"] = "1", ["EtcdBackupResource"] = "x.io/v1/tasks" });
        Assert.Equal(["cm", "kc"], a.CostManagerModules);
        Assert.Equal(1, a.MinioMinimumFreeGB);
        Assert.Equal("tasks.x.io", a.EtcdBackupResource.ToString());
        Assert.Equal(ErrorIds.InvalidProfileOverride, Assert.Throws<GlobalUpgradeException>(() => ReadinessAssumptions.Default.With(new Dictionary<string, string?> { ["Nope"] = "x" })).ErrorId);
        Assert.Equal(ErrorIds.InvalidProfileOverride, Assert.Throws<GlobalUpgradeException>(() => ReadinessAssumptions.Default.With(new Dictionary<string, string?> { ["MinioPath"] = " " })).ErrorId);
    }

    [Fact]
    public void PassedIsDerivedFromStateSoAnUncheckedItemNeverPasses()
    {
        Assert.True(new CheckResult { Check = "c", Target = "t", State = CheckResult.Made(true), Message = "m" }.Passed);
        Assert.Equal(CheckState.Failed, new CheckResult { Check = "c", Target = "t", State = CheckResult.Made(false), Message = "m" }.State);
        var notChecked = new CheckResult { Check = "c", Target = "t", State = CheckState.NotChecked, Message = "m" };
        Assert.Equal((CheckState.NotChecked, false), (notChecked.State, notChecked.Passed));
    }
}
