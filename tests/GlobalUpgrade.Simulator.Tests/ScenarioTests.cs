using System.Text.Json;
using k8s;
using k8s.Autorest;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>What each shipped scenario puts in the clusters.</summary>
public sealed class ScenarioTests
{
    [Fact]
    public async Task HealthyDrPairHasPlatformObjectsOnBothClusters()
    {
        await using var host = await SimHost.StartAsync("healthy");
        Assert.Equal(["primary", "standby"], host.Sim.Clusters.Keys.Order());
        foreach (var name in new[] { "primary", "standby" })
        {
            using var client = host.Client(name);
            var pb = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("product.alauda.io", "v1alpha1", "productbases", "base");
            Assert.Equal("v4.1.0", pb.GetProperty("status").GetProperty("version").GetString());
            Assert.Equal("Running", pb.GetProperty("status").GetProperty("phase").GetString());
            await client.CustomObjects.GetClusterCustomObjectAsync("platform.tkestack.io", "v1", "clusters", "global");
            var secret = await client.CoreV1.ReadNamespacedSecretAsync("k8sadmin", "cpaas-system");
            Assert.True(secret.Data.ContainsKey("token"));
        }

        using var standby = host.Client("standby");
        var spb = (JsonElement)await standby.CustomObjects.GetClusterCustomObjectAsync("product.alauda.io", "v1alpha2", "productbases", "base");
        Assert.Equal("product.alauda.io/v1alpha2", spb.GetProperty("apiVersion").GetString());
        Assert.Contains("https://192.168.131.10", spb.GetProperty("spec").GetProperty("alternativeURLs").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task FailedMachineScenarioHasOneFailedStandbyMachine()
    {
        await using var host = await SimHost.StartAsync("failed-machine");
        using var client = host.Client("standby");
        // Custom resources support no status field selector (as on a real API server): filter here.
        var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines");
        var failed = Assert.Single(list.GetProperty("items").EnumerateArray(), m => m.GetProperty("status").GetProperty("phase").GetString() != "Running");
        Assert.Equal("Failed", failed.GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal("NodeNotReady", failed.GetProperty("status").GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("status").GetProperty("message").GetString()));
    }

    [Fact]
    public async Task NotGlobalScenarioLacksTheGlobalClusterAndWorksWithoutDr()
    {
        await using var host = await SimHost.StartAsync("not-global", dr: false);
        Assert.Equal(["global"], host.Sim.Clusters.Keys);
        using var client = host.Client("global");
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.GetClusterCustomObjectAsync("platform.tkestack.io", "v1", "clusters", "global"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task DiscoveryListsTheServedGroups()
    {
        await using var host = await SimHost.StartAsync("healthy", dr: false);
        using var client = host.Client("global");
        var groups = await client.Apis.GetAPIVersionsAsync();
        Assert.Contains(groups.Groups, g => g.Name == "cluster.alauda.io");
        var core = await client.CoreV1.GetAPIResourcesAsync();
        Assert.Contains(core.Resources, r => r.Name == "pods/log");
    }
}
