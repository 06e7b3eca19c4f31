using System.Text.Json.Nodes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;
using Xunit;

namespace GlobalUpgrade.Tests.Upgrade;

/// <summary>The 4.3 CVSH status as documented (release-4.3 upgrade_global_cluster.mdx "Observe execution", ac upgrading-clusters.md).</summary>
public sealed class ClusterVersionShadowStatusTests
{
    private static readonly ComponentUpgradeProfile Profile = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.3"));

    private static JsonObject Shadow(
        string current = "v4.2.0",
        string desired = "v4.3.0",
        (string Type, string Status, string Reason, string Message)[]? conditions = null,
        (string Name, string State, string Reason)[]? checks = null,
        (string Name, string Phase)[]? stages = null)
    {
        var status = new JsonObject
        {
            ["current"] = new JsonObject { ["version"] = current, ["image"] = "reg/release:" + current },
            ["desired"] = new JsonObject { ["version"] = desired },
            ["conditions"] = new JsonArray((conditions ?? []).Select(c => (JsonNode)new JsonObject
            {
                ["type"] = c.Type,
                ["status"] = c.Status,
                ["reason"] = c.Reason,
                ["message"] = c.Message,
            }).ToArray()),
            ["availableUpdates"] = new JsonArray(new JsonObject { ["version"] = "v4.3.1" }),
            // An undocumented field that must not count: the current version comes from status.current.
            ["history"] = new JsonArray(new JsonObject { ["version"] = "v9.9.9", ["state"] = "Completed" }),
        };
        if (checks is not null)
        {
            status["preflight"] = new JsonObject
            {
                ["observedAt"] = "2026-11-30T10:00:00Z",
                ["checks"] = new JsonArray(checks.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["policy"] = "Always", ["state"] = c.State, ["reason"] = c.Reason }).ToArray()),
            };
        }

        if (stages is not null)
        {
            status["stages"] = new JsonArray(stages.Select(s => (JsonNode)new JsonObject { ["name"] = s.Name, ["phase"] = s.Phase }).ToArray());
        }

        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "global", ["namespace"] = "cpaas-system", ["generation"] = 2 },
            ["spec"] = new JsonObject { ["desiredUpdate"] = new JsonObject { ["version"] = desired } },
            ["status"] = status.Also(s => s["observedGeneration"] = 2),
        };
    }

    [Fact]
    public void CurrentIsStatusCurrentAndReadyMeansSettledAtIt()
    {
        var state = ComponentState.Read(Shadow(current: "v4.3.0", conditions: [("Ready", "True", "Completed", ""), ("Reconciling", "False", "", "")], checks: [("VersionUpgradePath", "Passed", "")]), Profile);
        Assert.Equal("v4.3.0", state.Current);
        Assert.Equal("v4.3.0", state.Working);
        Assert.Equal("Ready", state.State);
        Assert.True(state.IsAt("v4.3.0"));
        Assert.False(state.Failed);
        Assert.Equal(["v4.3.1"], state.ClusterVersionShadow!.AvailableUpdates);
    }

    [Fact]
    public void ReadyWithAnOlderCurrentVersionIsNotAtTheTarget()
    {
        var state = ComponentState.Read(Shadow(current: "v4.2.0", conditions: [("Ready", "True", "", "")]), Profile);
        Assert.False(state.IsAt("v4.3.0"));
    }

    [Fact]
    public void StalledIsAFailureWithTheConditionReasonAndTheFailedChecks()
    {
        var state = ComponentState.Read(Shadow(
            conditions: [("Stalled", "True", "UnexemptResourcePatches", "rp-x is not exempt"), ("Ready", "False", "", "")],
            checks: [("ResourcePatchUpgradeable", "Failed", "UnexemptResourcePatches"), ("ClusterRunning", "Passed", "")]), Profile);
        Assert.True(state.Failed);
        Assert.True(state.HasFailedFor("v4.3.0"));
        Assert.Equal("Stalled", state.State);
        Assert.Contains("Stalled: UnexemptResourcePatches - rp-x is not exempt", state.Reason, StringComparison.Ordinal);
        Assert.Contains("ResourcePatchUpgradeable (Always): UnexemptResourcePatches", state.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DegradedIsAFailureWithThePlatformReason()
    {
        var state = ComponentState.Read(Shadow(
            conditions: [("Degraded", "True", "StageOperationFailed", "archon did not become available"), ("Reconciling", "True", "", ""), ("Stalled", "False", "", "")],
            checks: [("ClusterRunning", "Passed", "")], stages: [("Core", "Running"), ("Aligned", "Pending")]), Profile);
        Assert.True(state.Failed);
        Assert.False(state.Settled);
        Assert.Equal("Degraded", state.State);
        Assert.StartsWith("Degraded: StageOperationFailed - archon did not become available", state.Reason, StringComparison.Ordinal);
        Assert.Equal("Core", state.ClusterVersionShadow!.RunningStage!.Name);
    }

    [Fact]
    public void ARetryingCheckIsNotPassedAndNotAFailure()
    {
        var state = ComponentState.Read(Shadow(
            conditions: [("PreflightReady", "False", "PreflightRetrying", "")],
            checks: [("ClusterModuleStable", "Retry", "ClusterModuleProgressing"), ("ClusterRunning", "Passed", "")]), Profile);
        var cvsh = state.ClusterVersionShadow!;
        Assert.False(cvsh.PreflightPassed);
        Assert.Equal("NotPassed", cvsh.PreflightSummary);
        Assert.False(state.Failed);
        Assert.Equal("Preflight", state.State);
        Assert.Contains("ClusterModuleStable: Retry ClusterModuleProgressing", state.Reason, StringComparison.Ordinal);
        Assert.Single(cvsh.RetryingChecks);
        Assert.Empty(cvsh.FailedChecks);
    }

    [Fact]
    public void NoPreflightDataIsNoResultYetNeverPassed()
    {
        var state = ComponentState.Read(Shadow(conditions: []), Profile);
        var cvsh = state.ClusterVersionShadow!;
        Assert.False(cvsh.HasPreflightResult);
        Assert.False(cvsh.PreflightPassed);
        Assert.Equal("NoResultYet", cvsh.PreflightSummary);
        Assert.False(state.Settled);
        Assert.False(state.Failed);
    }

    [Fact]
    public void AnUndocumentedCheckStateIsNotAFailureNorAPass()
    {
        var cvsh = ComponentState.Read(Shadow(conditions: [], checks: [("ClusterRunning", "Error", "")]), Profile).ClusterVersionShadow!;
        Assert.False(cvsh.PreflightPassed);
        Assert.Empty(cvsh.FailedChecks);
    }

    [Fact]
    public void DescribeFillsWhatGetGlobalupgradestatusShows()
    {
        var status = new GlobalUpgradeStatus();
        ComponentState.Read(Shadow(
            conditions: [("Reconciling", "True", "Upgrading", ""), ("Degraded", "False", "", "")],
            checks: [("A", "Failed", "R"), ("B", "Retry", "")], stages: [("Core", "Finished"), ("Aligned", "Running")]), Profile).ClusterVersionShadow!.Describe(status);
        Assert.Equal("v4.3.0", status.OperatorDesiredVersion);
        Assert.Equal(["Reconciling=True (Upgrading)", "Degraded=False"], status.Conditions);
        Assert.Equal(["A: Failed R"], status.FailedChecks);
        Assert.Equal(["B: Retry"], status.RetryingChecks);
        Assert.Equal("Aligned", status.RunningStage);
        Assert.Equal("NotPassed", status.Preflight);
        Assert.Equal(["v4.3.1"], status.AvailableUpdates);
    }

    [Fact]
    public void DiscoveryFindsTheKindOrShortNameInAnyGroupAndTriesTheAssumedOneFirst()
    {
        var list = new JsonObject
        {
            ["groupVersion"] = "upgrade.cpaas.io/v1beta1",
            ["resources"] = new JsonArray(
                new JsonObject { ["name"] = "clusterversionshadows/status", ["kind"] = "ClusterVersionShadow", ["namespaced"] = true },
                new JsonObject { ["name"] = "cvshadows", ["kind"] = "ClusterVersionShadow", ["namespaced"] = true, ["shortNames"] = new JsonArray("cvsh") }),
        };
        Assert.Equal(new AcpResource("upgrade.cpaas.io", "v1beta1", "cvshadows", true), ClusterVersionShadowDiscovery.FromResourceList(list));
        Assert.Null(ClusterVersionShadowDiscovery.FromResourceList(new JsonObject { ["groupVersion"] = "apps/v1", ["resources"] = new JsonArray(new JsonObject { ["name"] = "deployments", ["kind"] = "Deployment" }) }));

        var groups = new JsonObject
        {
            ["groups"] = new JsonArray(
                new JsonObject { ["preferredVersion"] = new JsonObject { ["groupVersion"] = "apps/v1" } },
                new JsonObject { ["preferredVersion"] = new JsonObject { ["groupVersion"] = AcpResources.ClusterVersionShadows.ApiVersion } }),
        };
        Assert.Equal([AcpResources.ClusterVersionShadows.ApiVersion, "apps/v1"], ClusterVersionShadowDiscovery.Candidates(groups));
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject obj, Action<JsonObject> change)
    {
        change(obj);
        return obj;
    }
}
