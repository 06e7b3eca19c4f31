using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;
using Xunit;

namespace GlobalUpgrade.Tests.Upgrade;

public sealed class UpgradePreconditionTests
{
    private static readonly ComponentUpgradeProfile ModuleProfile = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2"));
    private static readonly ComponentUpgradeProfile ShadowProfile = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.3"));

    private static JsonObject Module(string desired, string current, string deploy = "Completed", string running = "Healthy", string? reason = null) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "global" },
        ["spec"] = new JsonObject { ["version"] = desired },
        ["status"] = new JsonObject
        {
            ["base"] = new JsonObject { ["version"] = current, ["deployStatus"] = deploy, ["runningStatus"] = running },
            ["unableUpgradeReason"] = reason,
        },
    };

    private static UpgradeFacts Facts(string running = "v4.1.0", string target = "v4.2.0", bool global = true, bool synced = true, bool triggered = false, JsonObject? module = null) => new()
    {
        Cluster = "global",
        IsGlobal = global,
        PlatformVersion = running,
        TargetVersion = target,
        Components = ComponentState.Read(module ?? Module(running, running), ModuleProfile),
        ImageSyncSucceeded = synced,
        TriggerRecorded = triggered,
        PackagePath = "/root/pkg",
    };

    private static string Refusal(UpgradeFacts facts, UpgradeStage stage = UpgradeStage.All, bool force = false) =>
        Assert.Throws<GlobalUpgradeException>(() => UpgradePreconditions.Decide(facts, stage, force)).ErrorId;

    [Fact]
    public void ASupportedPathWithASyncedPackageRunsBothStages()
    {
        var decision = UpgradePreconditions.Decide(Facts(), UpgradeStage.All, force: false);
        Assert.True(decision.RunTrigger);
        Assert.True(decision.RunComponents);
        Assert.Equal("v4.1.0", decision.From.Text);
    }

    [Theory]
    [InlineData("v4.1.0", "v4.4.0")]
    [InlineData("v3.16.0", "v4.1.0")]
    [InlineData("v4.2.0", "v4.1.0")]
    public void AnUnsupportedPathIsRefusedEvenWhenForced(string running, string target) =>
        Assert.Equal(ErrorIds.UnsupportedUpgradePath, Refusal(Facts(running, target), force: true));

    [Fact]
    public void AClusterThatIsNotGlobalIsRefusedFirst() =>
        Assert.Equal(ErrorIds.NotAGlobalCluster, Refusal(Facts(running: "v4.1.0", target: "v4.4.0", global: false), force: true));

    [Fact]
    public void APackageWithoutASuccessfulSyncIsRefusedUnlessForced()
    {
        Assert.Equal(ErrorIds.ImageSyncNotDone, Refusal(Facts(synced: false)));
        Assert.True(UpgradePreconditions.Decide(Facts(synced: false), UpgradeStage.All, force: true).RunTrigger);
    }

    [Fact]
    public void ComponentsAloneNeedTheTriggerFirst()
    {
        Assert.Equal(ErrorIds.UpgradeNotTriggered, Refusal(Facts(), UpgradeStage.Components));
        var decision = UpgradePreconditions.Decide(Facts(triggered: true), UpgradeStage.Components, force: false);
        Assert.False(decision.RunTrigger);
        Assert.True(decision.RunComponents);
    }

    [Fact]
    public void ProductBaseAtTheTargetMeansTheTriggerRanAndTheSyncIsNotNeededAgain()
    {
        var decision = UpgradePreconditions.Decide(Facts(running: "v4.2.0", synced: false, module: Module("v4.2.0", "v4.1.0", "Upgrading")), UpgradeStage.All, force: false);
        Assert.False(decision.RunTrigger);
        Assert.True(decision.RunComponents);
        Assert.Equal("v4.1.0", decision.From.Text);
        Assert.Contains("waiting only", decision.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void AClusterAtTheTargetHasNothingToDo()
    {
        var decision = UpgradePreconditions.Decide(Facts(running: "v4.2.0", module: Module("4.2.0", "v4.2.0")), UpgradeStage.All, force: false);
        Assert.False(decision.RunTrigger);
        Assert.False(decision.RunComponents);
    }

    [Fact]
    public void AFailedClusterModuleReportsItsOwnReason()
    {
        var state = ComponentState.Read(Module("v4.2.0", "v4.1.0", "DeployFailed", "Abnormal", "chart x failed"), ModuleProfile);
        Assert.True(state.HasFailedFor("v4.2.0"));
        Assert.False(state.HasFailedFor("v4.3.0"));
        Assert.Equal("chart x failed", state.Reason);
    }

    [Fact]
    public void AStalledShadowNamesTheConditionAndTheFailedChecks()
    {
        var shadow = JsonNode.Parse("""
            {"metadata":{"name":"global","namespace":"cpaas-system","generation":3},
             "spec":{"desiredUpdate":{"version":"v4.3.0"}},
             "status":{"observedGeneration":3,"current":{"version":"v4.2.0"},"desired":{"version":"v4.3.0"},
               "conditions":[{"type":"Ready","status":"True"},{"type":"Stalled","status":"True","reason":"EtcdMemberUnhealthy","message":"member 2 down"}],
               "preflight":{"checks":[{"name":"NodesReady","policy":"Required","state":"Passed"},{"name":"EtcdHealthy","policy":"Required","state":"Failed","reason":"EtcdMemberUnhealthy","message":"member 2 down"}]},
               "history":[{"version":"v4.2.0","state":"Completed"}]}}
            """)!.AsObject();
        var state = ComponentState.Read(shadow, ShadowProfile);
        Assert.True(state.HasFailedFor("4.3.0"));
        Assert.False(state.IsAt("v4.3.0"));
        Assert.Equal("v4.2.0", state.Current);
        Assert.Contains("EtcdHealthy (Required): EtcdMemberUnhealthy - member 2 down", state.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("NodesReady", state.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AShadowThatSawTheRequestAndStalledWithoutTakingItUpHasFailedForIt()
    {
        // The operator saw generation 5 (asking for v4.3.0, which it does not offer) and stayed at 4.2.0, Stalled.
        var shadow = JsonNode.Parse("""
            {"metadata":{"generation":5},"spec":{"desiredUpdate":{"version":"v4.3.0"}},
             "status":{"observedGeneration":5,"current":{"version":"v4.2.0"},"desired":{"version":"v4.2.0"},
               "conditions":[{"type":"Stalled","status":"True","reason":"VersionNotAvailable","message":"not in availableUpdates"}],
               "availableUpdates":[{"version":"4.3.0"}]}}
            """)!.AsObject();
        Assert.True(ComponentState.Read(shadow, ShadowProfile).HasFailedFor("v4.3.0"));

        // Not yet seen (observedGeneration behind): a Stalled left from before is not taken for this request.
        shadow["status"]!["observedGeneration"] = 4;
        Assert.False(ComponentState.Read(shadow, ShadowProfile).HasFailedFor("v4.3.0"));
    }

    [Fact]
    public void AStaleStatusIsNotTakenForTheNewRequest()
    {
        var shadow = JsonNode.Parse("""
            {"metadata":{"generation":4},"spec":{"desiredUpdate":{"version":"v4.3.0"}},
             "status":{"observedGeneration":3,"current":{"version":"v4.3.0"},"desired":{"version":"v4.3.0"},"conditions":[{"type":"Ready","status":"True"}],"history":[{"version":"v4.3.0","state":"Completed"}]}}
            """)!.AsObject();
        Assert.False(ComponentState.Read(shadow, ShadowProfile).IsAt("v4.3.0"));
    }

    [Fact]
    public void ThePatchWritesThePlatformVersionAndThePluginTargetsAtTheProfilePaths()
    {
        // No Kubernetes field is documented: the patch never carries one (no kubernetes module, no desiredUpdate extra).
        Assert.Equal("""{"spec":{"version":"v4.2.0"}}""", ComponentUpgrade.BuildPatch(ModuleProfile, "v4.2.0").ToJsonString());
        // Before 4.3 the plugins' targets go with it; a held plugin is left out ("Do not upgrade").
        Assert.Equal("""{"spec":{"version":"v4.2.0","upgradeModulesInfos":[{"name":"velero","version":"v1.3.0"}]}}""",
            ComponentUpgrade.BuildPatch(ModuleProfile, "v4.2.0", [new PluginTarget("velero", "v1.2.0", "v1.3.0", "offered"), new PluginTarget("acp-base", "v4.2.0", null, "held")]).ToJsonString());
        // 4.3+: written as the docs write it, without "v" (release-4.3 upgrade_global_cluster.mdx: version "4.3.0").
        Assert.Equal("""{"spec":{"desiredUpdate":{"version":"4.3.0"}}}""", ComponentUpgrade.BuildPatch(ShadowProfile, "v4.3.0").ToJsonString());
        Assert.Equal("""{"spec":{"desiredUpdate":{"version":"4.3.0"}}}""", ComponentUpgrade.BuildPatch(ShadowProfile, "4.3.0").ToJsonString());

        var custom = ShadowProfile.With(new Dictionary<string, string?> { ["clusterversionshadowversionfield"] = "spec.want.version" });
        Assert.Equal("""{"spec":{"want":{"version":"4.3.0"}}}""", ComponentUpgrade.BuildPatch(custom, "v4.3.0").ToJsonString());
        Assert.Equal(ErrorIds.InvalidProfileOverride, Assert.Throws<GlobalUpgradeException>(() => ShadowProfile.With(new Dictionary<string, string?> { ["Nope"] = "x" })).ErrorId);
    }

    [Theory]
    [InlineData("v4.3.0", "4.3.0", true)]
    [InlineData("v4.3", "4.3.0", true)]
    [InlineData("v4.3.1", "4.3.0", false)]
    [InlineData(null, "4.3.0", false)]
    public void VersionsCompareAsACPWritesThem(string? a, string b, bool same) => Assert.Equal(same, Versions.Same(a, b));
}

public sealed class UpgradePlanTests
{
    private static UpgradeInspector.ClusterFacts Cluster(string name, ClusterRole role, string version = "v4.1.0", bool synced = false, string? componentVersion = null)
    {
        var profile = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2"));
        var module = new JsonObject
        {
            ["spec"] = new JsonObject { ["version"] = componentVersion ?? version },
            ["status"] = new JsonObject { ["base"] = new JsonObject { ["version"] = componentVersion ?? version, ["deployStatus"] = "Completed", ["runningStatus"] = "Healthy" } },
        };
        return new UpgradeInspector.ClusterFacts(name, role, version, ComponentState.Read(module, profile), synced);
    }

    [Fact]
    public void ADRPairFollowsTheDocumentedOrderWithDefaultEstimates()
    {
        var plan = UpgradeInspector.Plan([Cluster("primary", ClusterRole.Primary), Cluster("standby", ClusterRole.Standby)], "v4.2.0", "/pkg", null);
        Assert.Equal("DR", plan.Kind);
        Assert.Equal(
            ["Preflight", "ImageSync", "ImageSync", "UninstallEtcdSync", "UpgradeStandby", "UpgradePrimary", "CheckEtcdPorts", "InstallEtcdSync", "VerifySync", "PostChecks"],
            plan.Steps.Select(s => s.Name));
        Assert.Equal(["standby", "primary"], plan.Steps.Where(s => s.Name == "ImageSync").Select(s => s.Cluster));
        Assert.Equal("standby", plan.Steps.Single(s => s.Name == "UninstallEtcdSync").Cluster);
        Assert.Equal(TimeSpan.FromMinutes(75), plan.Steps.Single(s => s.Name == "UpgradeStandby").Estimate);

        // 15 + 2×120 + 10 + 2×75 + 5 + 15 + 15 + 15 minutes in order; without the two syncs when they are pre-staged.
        Assert.Equal(TimeSpan.FromMinutes(465), plan.SequentialWindow);
        Assert.Equal(TimeSpan.FromMinutes(225), plan.PrestagedWindow);
        Assert.Equal(TimeSpan.FromHours(2), plan.PrestageLead);
        Assert.True(plan.PathSupported);
    }

    [Fact]
    public void DoneStepsDoNotCountAndEstimatesCanBeOverridden()
    {
        var plan = UpgradeInspector.Plan(
            [Cluster("primary", ClusterRole.Primary, synced: true), Cluster("standby", ClusterRole.Standby, version: "v4.2.0")],
            "v4.2.0", "/pkg", new Dictionary<string, TimeSpan> { ["Components"] = TimeSpan.FromMinutes(60), ["Preflight"] = TimeSpan.Zero });
        Assert.All(plan.Steps.Where(s => s.Name == "ImageSync"), s => Assert.True(s.AlreadyDone));
        Assert.True(plan.Steps.Single(s => s.Name == "UpgradeStandby").AlreadyDone);
        var primary = plan.Steps.Single(s => s.Name == "UpgradePrimary");
        Assert.True(primary.WouldRun);
        Assert.Equal(TimeSpan.FromMinutes(105), primary.Estimate);
        Assert.Equal(TimeSpan.Zero, plan.PrestageLead);
        Assert.Equal(plan.SequentialWindow, plan.PrestagedWindow);
        Assert.Equal(TimeSpan.FromMinutes(0 + 10 + 105 + 5 + 15 + 15 + 15), plan.SequentialWindow);
    }

    [Fact]
    public void AStandardClusterHasFourStepsAndAnUnsupportedPathIsReported()
    {
        var plan = UpgradeInspector.Plan([Cluster("global", ClusterRole.Standalone)], "v4.4.0", null, null);
        Assert.Equal("Standard", plan.Kind);
        Assert.Equal(["Preflight", "ImageSync", "Upgrade", "PostChecks"], plan.Steps.Select(s => s.Name));
        Assert.False(plan.PathSupported);
        Assert.Contains("no supported path", plan.Paths[0].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("1.5h", 90)]
    [InlineData("45m", 45)]
    [InlineData("02:00:00", 120)]
    public void EstimatesReadAsUsersWriteThem(string text, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), UpgradeSteps.ParseEstimate("ImageSync", text));

    [Fact]
    public void UnknownStepsAndBadDurationsAreRefused()
    {
        Assert.Equal(ErrorIds.InvalidEstimate, Assert.Throws<GlobalUpgradeException>(() => UpgradeSteps.Estimates(new Dictionary<string, TimeSpan> { ["Coffee"] = TimeSpan.FromMinutes(5) })).ErrorId);
        Assert.Equal(ErrorIds.InvalidEstimate, Assert.Throws<GlobalUpgradeException>(() => UpgradeSteps.ParseEstimate("ImageSync", "soon")).ErrorId);
    }
}
