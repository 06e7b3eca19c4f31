using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

/// <summary>The documented steps that need a person: bound to their paths, in the docs' order, shown as conditions.</summary>
public sealed class ManualStepConditionsTests
{
    private static List<string> Steps(string from, string to, bool dr = false) =>
        ManualSteps.Of(PlatformVersion.Parse(from), PlatformVersion.Parse(to), dr).Select(s => s.Check).ToList();

    private static ReadinessFacts Before(string from, string to, params InstalledPlugin[] plugins) => new()
    {
        Cluster = "primary",
        Target = PlatformVersion.Parse(to),
        RunningVersion = from,
        InstalledPlugins = plugins,
    };

    private static PostUpgradeFacts After(string fromLine, string to, params InstalledPlugin[] plugins) => new()
    {
        Cluster = "primary",
        Target = PlatformVersion.Parse(to),
        FromLines = [fromLine],
        InstalledPlugins = plugins,
    };

    [Fact]
    public void EveryStepCitesItsBranchAndPage()
    {
        Assert.All(ManualSteps.Table, s => Assert.Matches(@"^\[doc release-4\.\d (PRE|UGC) ", s.Source));
        Assert.Equal(ManualSteps.Table.Count, ManualSteps.Table.Select(s => s.Check).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void From318To41TopoLvmIsRemovedBeforeAndRecreatedAfterInTheDocsOrder()
    {
        Assert.Equal(
            ["SupportChecklistRun", "PackageDiskSpaceChecked", "TopoLvmPackageSeparated", "TopoLvmRemoved", "DataServicesUpgraded", "TopoLvmRecreated", "ProductDocsInstalled", "ClusterEnhancerInstalled", "ServiceMeshEssentialsPrepared"],
            Steps("v3.18.1", "v4.1.0"));
        Assert.DoesNotContain("TopoLvmRemoved", Steps("v4.0.0", "v4.1.0"));
        Assert.DoesNotContain("ProductDocsInstalled", Steps("v4.0.0", "v4.1.0"));
        Assert.DoesNotContain("PackageDiskSpaceChecked", Steps("v4.0.0", "v4.1.0"));
    }

    [Fact]
    public void EachLineHasItsOwnNotes()
    {
        Assert.Contains("ApplicationServicesPrepared", Steps("v3.16.2", "v4.0.0"));
        Assert.Contains("GlobalNodeIsolationChecked", Steps("v4.1.0", "v4.2.0"));
        Assert.DoesNotContain("GlobalNodeIsolationChecked", Steps("v4.2.0", "v4.3.0"));
        Assert.Contains("MySqlPxcMigrated", Steps("v4.2.0", "v4.3.0"));
        Assert.DoesNotContain("ClusterEnhancerInstalled", Steps("v4.2.0", "v4.3.0"));
        Assert.Equal("ServiceMeshEssentialsPrepared", Steps("v4.2.0", "v4.3.0")[^1]);
    }

    [Fact]
    public void TheStandbysOwnVioletPushIsAStepOfDrPathsOnly()
    {
        Assert.Contains("StandbyPackagesPushedToStandby", Steps("v4.1.0", "v4.2.0", dr: true));
        Assert.DoesNotContain("StandbyPackagesPushedToStandby", Steps("v4.1.0", "v4.2.0"));
        Assert.Contains("--dest-repo <standby VIP>", ManualSteps.Table.Single(s => s.Check == "StandbyPackagesPushedToStandby").Action, StringComparison.Ordinal);
    }

    [Fact]
    public void BeforeTheUpgradeTheReadinessGateShowsThemNeverPassed()
    {
        var results = ReadinessConditions.Judge(Before("v3.18.1", "4.1")).Where(r => ManualSteps.Table.Any(s => s.Check == r.Check)).ToList();
        Assert.Equal(["SupportChecklistRun", "PackageDiskSpaceChecked", "TopoLvmPackageSeparated", "TopoLvmRemoved"], results.Select(r => r.Check));
        Assert.All(results, r =>
        {
            Assert.Equal(CheckState.NotChecked, r.State);
            Assert.StartsWith("Needs a person (before the upgrade): ", r.Message, StringComparison.Ordinal);
            Assert.Contains("[doc release-4.", r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void TopoLvmNotRemovedIsFailedWhereItsModuleInfoIsStillThere()
    {
        var left = ReadinessConditions.Judge(Before("v3.18.1", "4.1", new InstalledPlugin("business-1", ManualSteps.TopoLvmMigrateModule, "v3.18.0", "business-1-0a1b2c")))
            .Single(r => r.Check == "TopoLvmRemoved");
        Assert.Equal(CheckState.Failed, left.State);
        Assert.Contains("business-1-0a1b2c", left.Message, StringComparison.Ordinal);
        Assert.Contains("otherwise, the cluster upgrade will fail", left.Message, StringComparison.Ordinal);
        Assert.Contains("release-4.1 UGC \"(Conditional) Remove TopoLVM\"", left.Detail?["Source"] as string, StringComparison.Ordinal);
    }

    [Fact]
    public void AfterTheUpgradeAnInstalledPluginStepPassesAndTheOthersNeedAPerson()
    {
        var enhancer = new InstalledPlugin("global", "cluster-enhancer", "v4.2.1", "global-5e6f") { DisplayName = "Alauda Container Platform Cluster Enhancer" };
        var done = PostUpgradeConditions.Judge(After("4.1", "4.2", enhancer)).Single(r => r.Check == "ClusterEnhancerInstalled");
        Assert.Equal(CheckState.Passed, done.State);

        var results = PostUpgradeConditions.Judge(After("4.1", "4.2"));
        Assert.Equal(CheckState.NotChecked, results.Single(r => r.Check == "ClusterEnhancerInstalled").State);
        Assert.Equal(CheckState.NotChecked, results.Single(r => r.Check == "ServiceMeshEssentialsPrepared").State);
        Assert.DoesNotContain(results, r => r.Check == "GlobalNodeIsolationChecked");
        Assert.Contains(PostUpgradeConditions.Judge(After("3.18", "4.1.0")), r => r.Check == "ProductDocsInstalled");
    }
}
