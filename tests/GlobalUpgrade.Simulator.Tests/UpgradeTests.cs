using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>The upgrade controllers: ClusterModule (before 4.3) and ClusterVersionShadow (4.3+).</summary>
public sealed class UpgradeTests
{
    [Fact]
    public async Task Cluster_module_upgrade_goes_upgrading_then_completed()
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
    public async Task Deploy_failed_scenario_ends_with_an_unable_upgrade_reason()
    {
        await using var host = await SimHost.StartAsync("deploy-failed", dr: false);
        using var client = host.Client("global");
        await client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch("{\"spec\":{\"version\":\"v4.2.0\"}}", V1Patch.PatchType.MergePatch), "cluster.alauda.io", "v1alpha1", "clustermodules", "global");
        var store = host.Sim.Clusters["global"].Store;
        await WatchTests.WaitUntil(() => Base(store)?["deployStatus"]?.ToString() == "DeployFailed");
        var cm = store.Get("clustermodules", null, "global")!;
        Assert.Contains("timed out", cm["status"]!["unableUpgradeReason"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_version_shadow_upgrade_reaches_ready_and_moves_the_platform_version()
    {
        await using var host = await SimHost.StartAsync("v4.2-to-4.3");
        using var client = host.Client("standby");
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"spec\":{\"desiredUpdate\":{\"version\":\"v4.3.0\"}}}", V1Patch.PatchType.MergePatch), "config.alauda.io", "v1", "cpaas-system", "clusterversionshadows", "global");
        var store = host.Sim.Clusters["standby"].Store;
        await WatchTests.WaitUntil(() => Condition(store, "Reconciling") == "True");
        await WatchTests.WaitUntil(() => Condition(store, "Ready") == "True");
        var cvsh = store.Get("clusterversionshadows", "cpaas-system", "global")!;
        Assert.Equal("Completed", cvsh["status"]!["history"]![0]!["state"]!.ToString());
        Assert.Equal("v4.3.0", cvsh["status"]!["history"]![0]!["version"]!.ToString());
        Assert.All(cvsh["status"]!["preflight"]!["checks"]!.AsArray(), c => Assert.Equal("Passed", c!["state"]!.ToString()));
        Assert.Equal("v4.3.0", store.Get("productbases", null, "base")!["status"]!["version"]!.ToString());
    }

    [Fact]
    public async Task Cluster_version_shadow_upgrades_when_the_trigger_moved_the_platform_version_first()
    {
        await using var host = await SimHost.StartAsync("v4.2-to-4.3", dr: false);
        using var client = host.Client("global");
        var store = host.Sim.Clusters["global"].Store;
        GlobalUpgrade.Simulator.Controllers.Platform.SetVersion(store, "v4.3.0");
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"spec\":{\"desiredUpdate\":{\"version\":\"v4.3.0\"}}}", V1Patch.PatchType.MergePatch), "config.alauda.io", "v1", "cpaas-system", "clusterversionshadows", "global");
        await WatchTests.WaitUntil(() => Condition(store, "Reconciling") == "True");
        await WatchTests.WaitUntil(() => Condition(store, "Ready") == "True");
        var cvsh = store.Get("clusterversionshadows", "cpaas-system", "global")!;
        Assert.Equal("v4.3.0", cvsh["status"]!["desired"]!["version"]!.ToString());
        Assert.Equal("v4.3.0", cvsh["status"]!["history"]![0]!["version"]!.ToString());
    }

    [Fact]
    public async Task Stalled_scenario_reports_a_failed_preflight_check()
    {
        await using var host = await SimHost.StartAsync("stalled");
        using var client = host.Client("primary");
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"spec\":{\"desiredUpdate\":{\"version\":\"v4.3.0\"}}}", V1Patch.PatchType.MergePatch), "config.alauda.io", "v1", "cpaas-system", "clusterversionshadows", "global");
        var store = host.Sim.Clusters["primary"].Store;
        await WatchTests.WaitUntil(() => Condition(store, "Stalled") == "True");
        var cvsh = store.Get("clusterversionshadows", "cpaas-system", "global")!;
        var failed = Assert.Single(cvsh["status"]!["preflight"]!["checks"]!.AsArray(), c => c!["state"]!.ToString() == "Failed");
        Assert.Equal("EtcdHealthy", failed!["name"]!.ToString());
        Assert.Equal("v4.2.0", store.Get("productbases", null, "base")!["status"]!["version"]!.ToString());
    }

    private static JsonNode? Base(GlobalUpgrade.Simulator.Store.ObjectStore store) => store.Get("clustermodules", null, "global")?["status"]?["base"];

    private static string? Condition(GlobalUpgrade.Simulator.Store.ObjectStore store, string type) =>
        store.Get("clusterversionshadows", "cpaas-system", "global")?["status"]?["conditions"]?.AsArray()
            .FirstOrDefault(c => c?["type"]?.ToString() == type)?["status"]?.ToString();
}
