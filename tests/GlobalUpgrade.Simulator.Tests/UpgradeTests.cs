using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using k8s;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>The upgrade controllers: ClusterModule (before 4.3) and ClusterVersionShadow (4.3+).</summary>
public sealed class UpgradeTests
{
    [Fact]
    public async Task ClusterModuleUpgradeGoesUpgradingThenCompleted()
    {
        await using var host = await SimHost.StartAsync("healthy");
        using var client = host.Client("standby");
        await client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch("{\"spec\":{\"version\":\"v4.2.0\"}}", V1Patch.PatchType.MergePatch), "cluster.alauda.io", "v1alpha1", "clustermodules", "global");
        var store = host.Sim.Clusters["standby"].Store;
        await WatchTests.WaitUntil(() => Base(store)?["deployStatus"]?.ToString() == "Upgrading");
        await WatchTests.WaitUntil(() => Base(store)?["deployStatus"]?.ToString() == "Completed");
        Assert.Equal("Healthy", Base(store)!["runningStatus"]!.ToString());
        Assert.Equal("v4.2.0", Base(store)!["version"]!.ToString());
    }

    [Fact]
    public async Task DeployFailedScenarioEndsWithAnUnableUpgradeReason()
    {
        await using var host = await SimHost.StartAsync("deploy-failed", dr: false);
        using var client = host.Client("global");
        await client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch("{\"spec\":{\"version\":\"v4.2.0\"}}", V1Patch.PatchType.MergePatch), "cluster.alauda.io", "v1alpha1", "clustermodules", "global");
        var store = host.Sim.Clusters["global"].Store;
        await WatchTests.WaitUntil(() => Base(store)?["deployStatus"]?.ToString() == "DeployFailed");
        var cm = store.Get("clustermodules", null, "global")!;
        Assert.Contains("timed out", cm["status"]!["unableUpgradeReason"]!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("healthy", "v4.2.0")]
    [InlineData("v4.0", "v4.1.0")]
    public async Task APlatformUpgradeBeforeFourThreeOffersTheComponentUpgradeAfterTheNotice(string scenario, string target)
    {
        await using var host = await SimHost.StartAsync(scenario, dr: false);
        var store = host.Sim.Clusters["global"].Store;
        var module = store.Get("clustermodules", null, "global")!;
        Assert.Equal("false", module.Str("status.upgradable"));
        Assert.Equal("false", module.Str("status.needUpgrade"));

        await PostTriggerAsync(host, "global", target);
        await WatchTests.WaitUntil(() => store.Get("clustermodules", null, "global").Str("status.upgradable") == "true");
        Assert.Equal("true", store.Get("clustermodules", null, "global").Str("status.needUpgrade"));
        Assert.Null(store.Get("clustermodules", null, "global").Str("status.unableUpgradeReason"));
    }

    [Fact]
    public async Task TheNotOfferedFaultNeverOffersTheComponentUpgradeAndSaysWhy()
    {
        await using var host = await SimHost.StartAsync("components-not-offered", dr: false);
        var store = host.Sim.Clusters["global"].Store;
        await PostTriggerAsync(host, "global", "v4.2.0");
        await WatchTests.WaitUntil(() => store.Get("clustermodules", null, "global").Str("status.unableUpgradeReason") is not null);
        var module = store.Get("clustermodules", null, "global")!;
        Assert.Equal("false", module.Str("status.upgradable"));
        Assert.Equal("false", module.Str("status.needUpgrade"));
        Assert.Contains("chart packages", module.Str("status.unableUpgradeReason"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheComponentRequestMovesExactlyThePluginsItNamesAndFailsOnAModuleNotInstalled()
    {
        await using var host = await OfferedAsync("components-plugins", "v4.2.0");
        using var client = host.Client("global");
        var store = host.Sim.Clusters["global"].Store;
        Assert.Equal("v1.3.0", Plugin(store, "velero")["status"]!["availableVersions"]![0]!["version"]!.ToString());

        // An explicit empty list: "Do not upgrade" for every plugin.
        await client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch("""{"spec":{"version":"v4.2.0","upgradeModulesInfos":[]}}""", V1Patch.PatchType.MergePatch), "cluster.alauda.io", "v1alpha1", "clustermodules", "global");
        await WatchTests.WaitUntil(() => Base(store)?["version"]?.ToString() == "v4.2.0" && Base(store)?["deployStatus"]?.ToString() == "Completed");
        Assert.Equal("v1.2.0", Plugin(store, "velero").Str("status.version"));

        await client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch("""{"spec":{"upgradeModulesInfos":[{"name":"gitops","version":"v4.2.0"}]}}""", V1Patch.PatchType.MergePatch), "cluster.alauda.io", "v1alpha1", "clustermodules", "global");
        await WatchTests.WaitUntil(() => Base(store)?["deployStatus"]?.ToString() == "DeployFailed");
        Assert.Contains("gitops", store.Get("clustermodules", null, "global").Str("status.unableUpgradeReason"), StringComparison.Ordinal);
        Assert.Equal("v1.2.0", Plugin(store, "velero").Str("status.version"));
    }

    [Fact]
    public async Task FromFourTwoZeroToFourTwoOneThePluginsShownALowerTargetAreDowngradedWhenNotHeld()
    {
        await using var host = await OfferedAsync("components-4.2.0", "v4.2.1");
        using var client = host.Client("global");
        var store = host.Sim.Clusters["global"].Store;
        Assert.Equal("v4.1.0", Plugin(store, "acp-base")["status"]!["availableVersions"]![0]!["version"]!.ToString());

        // Confirming the dialog as shown (no targets stated): Base goes to the lower Target it shows.
        await client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch("""{"spec":{"version":"v4.2.1"}}""", V1Patch.PatchType.MergePatch), "cluster.alauda.io", "v1alpha1", "clustermodules", "global");
        await WatchTests.WaitUntil(() => Base(store)?["version"]?.ToString() == "v4.2.1" && Base(store)?["deployStatus"]?.ToString() == "Completed");
        Assert.Equal("v4.1.0", Plugin(store, "acp-base").Str("status.version"));
        Assert.Equal("v1.3.0", Plugin(store, "velero").Str("status.version"));
        Assert.Equal("v1.1.0", Plugin(store, "hyperflux").Str("status.version"));
        Assert.Equal("true", store.Get("clustermodules", null, "global").Str("status.needUpgrade"));
        Assert.Equal("v1.2.0", Plugin(store, "velero")["status"]!["availableVersions"]![0]!["version"]!.ToString());
    }

    // A single cluster of the scenario whose platform reached the target and whose ClusterModule offers the upgrade.
    private static async Task<SimHost> OfferedAsync(string scenario, string target)
    {
        var host = await SimHost.StartAsync(scenario, dr: false);
        try
        {
            var store = host.Sim.Clusters["global"].Store;
            await PostTriggerAsync(host, "global", target);
            await WatchTests.WaitUntil(() => store.Get("clustermodules", null, "global").Str("status.upgradable") == "true");
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private static JsonObject Plugin(GlobalUpgrade.Simulator.Store.ObjectStore store, string module) =>
        store.List("moduleinfoes").Single(i => i["metadata"]?["labels"]?["cpaas.io/module-name"]?.ToString() == module);

    [Fact]
    public async Task The43TriggerBringsTheOperatorAndAnUpgradeWritesTheDocumentedStatus()
    {
        await using var host = await SimHost.StartAsync("v4.2-to-4.3");
        using var client = host.Client("standby");
        var store = host.Sim.Clusters["standby"].Store;
        Assert.Null(store.Get("clusterversionshadows", "cpaas-system", "global"));

        // upgrade.sh --skip-sync-image deploys the CVO, which offers the package's version as the docs write it and
        // has applied nothing new yet; the platform has not moved (release-4.3 UGC "Deploy the cluster version operator").
        await PostTriggerAsync(host, "standby", "v4.3.0");
        var cvsh = store.Get("clusterversionshadows", "cpaas-system", "global")!;
        Assert.Equal("v4.2.0", cvsh.Str("status.current.version"));
        Assert.Equal("4.3.0", Assert.Single(cvsh["status"]!["availableUpdates"]!.AsArray())!["version"]!.ToString());
        Assert.Equal("v4.2.0", ProductBaseVersion(store));

        await PatchDesiredAsync(client, "4.3.0");
        await WatchTests.WaitUntil(() => Condition(store, "Reconciling") == "True");
        await WatchTests.WaitUntil(() => Status(store)?["stages"]?.AsArray().Any(st => st?["phase"]?.ToString() == "Running") == true);
        Assert.Equal("v4.2.0", ProductBaseVersion(store));
        await WatchTests.WaitUntil(() => Condition(store, "Ready") == "True");
        var status = Status(store)!;
        Assert.Equal("4.3.0", status["current"]!["version"]!.ToString());
        Assert.Equal("4.3.0", status["desired"]!["version"]!.ToString());
        Assert.False(string.IsNullOrEmpty(status["current"]!["image"]?.ToString()));
        Assert.Equal("False", Condition(store, "Degraded"));
        Assert.Equal("False", Condition(store, "Stalled"));
        Assert.Equal("True", Condition(store, "PreflightReady"));
        Assert.NotNull(status["preflight"]!["observedAt"]);
        Assert.Equal(GlobalUpgrade.Simulator.Controllers.ClusterVersionShadowController.PreflightChecks, status["preflight"]!["checks"]!.AsArray().Select(c => c!["name"]!.ToString()));
        Assert.All(status["preflight"]!["checks"]!.AsArray(), c => Assert.Equal("Passed", c!["state"]!.ToString()));
        Assert.All(status["stages"]!.AsArray(), st => Assert.Equal("Finished", st!["phase"]!.ToString()));
        Assert.Empty(status["availableUpdates"]!.AsArray());
        Assert.Equal("Completed", status["history"]![0]!["state"]!.ToString());
        Assert.Equal("4.3.0", status["history"]![0]!["version"]!.ToString());
        // The platform moves when the operator has finished.
        Assert.Equal("v4.3.0", ProductBaseVersion(store));
    }

    [Theory]
    [InlineData("v4.3.0")] // the package's spelling, not the offered one
    [InlineData("4.3.5")] // not offered at all
    public async Task TheOperatorUpgradesOnlyToAVersionAsItOffersIt(string requested)
    {
        await using var host = await SimHost.StartAsync("v4.2-to-4.3", dr: false);
        using var client = host.Client("global");
        var store = host.Sim.Clusters["global"].Store;
        await PostTriggerAsync(host, "global", "v4.3.0");

        await PatchDesiredAsync(client, requested);
        await WatchTests.WaitUntil(() => Condition(store, "Stalled") == "True");
        var stalled = Status(store)!["conditions"]!.AsArray().Single(c => c!["type"]!.ToString() == "Stalled")!;
        Assert.Equal("VersionNotAvailable", stalled["reason"]!.ToString());
        Assert.Contains(requested, stalled["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains("4.3.0", stalled["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("v4.2.0", Status(store).Str("current.version"));
        Assert.Equal("v4.2.0", Status(store).Str("desired.version"));
        Assert.Null(Status(store)!["stages"]);
        Assert.Equal("v4.2.0", ProductBaseVersion(store));

        // Asked again as offered, it upgrades (and the Stalled of the refused request is cleared).
        await PatchDesiredAsync(client, "4.3.0");
        await WatchTests.WaitUntil(() => Condition(store, "Ready") == "True" && Status(store).Str("current.version") == "4.3.0");
        Assert.Equal("False", Condition(store, "Stalled"));
        Assert.Equal("v4.3.0", ProductBaseVersion(store));
    }

    [Fact]
    public async Task StalledScenarioReportsAFailedPreflightCheck()
    {
        await using var host = await SimHost.StartAsync("stalled");
        using var client = host.Client("primary");
        var store = host.Sim.Clusters["primary"].Store;
        await PostTriggerAsync(host, "primary", "v4.3.0");
        await PatchDesiredAsync(client, "4.3.0");
        await WatchTests.WaitUntil(() => Condition(store, "Stalled") == "True");
        var failed = Assert.Single(Status(store)!["preflight"]!["checks"]!.AsArray(), c => c!["state"]!.ToString() == "Failed");
        Assert.Equal("ResourcePatchUpgradeable", failed!["name"]!.ToString());
        Assert.Equal("UnexemptResourcePatches", failed["reason"]!.ToString());
        Assert.Equal("v4.2.0", Status(store).Str("current.version"));
        Assert.Null(Status(store)!["stages"]);
    }

    [Fact]
    public async Task RetryScenarioReportsRetryBeforeTheCheckPasses()
    {
        await using var host = await SimHost.StartAsync("preflight-retry", dr: false, timeScale: 0.2);
        using var client = host.Client("global");
        var store = host.Sim.Clusters["global"].Store;
        await PostTriggerAsync(host, "global", "v4.3.0");
        await PatchDesiredAsync(client, "4.3.0");
        await WatchTests.WaitUntil(() => Status(store)?["preflight"]?["checks"]?.AsArray().Any(c => c?["state"]?.ToString() == "Retry") == true);
        Assert.Equal("False", Condition(store, "PreflightReady"));
        Assert.Equal("ClusterModuleStable", Status(store)!["preflight"]!["checks"]!.AsArray().Single(c => c!["state"]!.ToString() == "Retry")!["name"]!.ToString());
        await WatchTests.WaitUntil(() => Condition(store, "Ready") == "True" && Status(store).Str("current.version") == "4.3.0");
    }

    [Fact]
    public async Task DegradedScenarioTurnsDegradedWithTheReasonAndNeverApplies()
    {
        await using var host = await SimHost.StartAsync("degraded", dr: false);
        using var client = host.Client("global");
        var store = host.Sim.Clusters["global"].Store;
        await PostTriggerAsync(host, "global", "v4.3.0");
        await PatchDesiredAsync(client, "4.3.0");
        await WatchTests.WaitUntil(() => Condition(store, "Degraded") == "True");
        var degraded = Status(store)!["conditions"]!.AsArray().Single(c => c!["type"]!.ToString() == "Degraded")!;
        Assert.Equal("StageOperationFailed", degraded["reason"]!.ToString());
        Assert.Equal("Running", Status(store)!["stages"]![0]!["phase"]!.ToString());
        Assert.Equal("v4.2.0", Status(store).Str("current.version"));
        Assert.NotEqual("True", Condition(store, "Ready"));
    }

    private static Task<object> PatchDesiredAsync(k8s.Kubernetes client, string version) =>
        client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch($"{{\"spec\":{{\"desiredUpdate\":{{\"version\":\"{version}\"}}}}}}", V1Patch.PatchType.MergePatch), "config.alauda.io", "v1", "cpaas-system", "clusterversionshadows", "global");

    // The platform is at a version (a fixture; before 4.3 also what the trigger ends with): POST /_sim/platform-version.
    internal static async Task PostVersionAsync(SimHost host, string cluster, string version)
    {
        using var http = host.Http(cluster);
        (await http.PostAsJsonAsync(new Uri("/_sim/platform-version", UriKind.Relative), new { version })).EnsureSuccessStatusCode();
    }

    // What the stand-in upgrade.sh --skip-sync-image does: POST /_sim/trigger.
    internal static async Task PostTriggerAsync(SimHost host, string cluster, string version)
    {
        using var http = host.Http(cluster);
        (await http.PostAsJsonAsync(new Uri("/_sim/trigger", UriKind.Relative), new { version })).EnsureSuccessStatusCode();
    }

    private static string? ProductBaseVersion(GlobalUpgrade.Simulator.Store.ObjectStore store) => store.Get("productbases", null, "base").Str("status.version");

    private static JsonNode? Status(GlobalUpgrade.Simulator.Store.ObjectStore store) => store.Get("clusterversionshadows", "cpaas-system", "global")?["status"];

    private static JsonNode? Base(GlobalUpgrade.Simulator.Store.ObjectStore store) => store.Get("clustermodules", null, "global")?["status"]?["base"];

    private static string? Condition(GlobalUpgrade.Simulator.Store.ObjectStore store, string type) =>
        store.Get("clusterversionshadows", "cpaas-system", "global")?["status"]?["conditions"]?.AsArray()
            .FirstOrDefault(c => c?["type"]?.ToString() == type)?["status"]?.ToString();
}
