using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using k8s;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>
/// One scenario per version line, each with what the docs say of that line: the etcd synchronizer's plugin and form
/// (labels in spec.deployDescriptors), the lease (4.3+), the bootstrap job (4.3.1+), the CVO (4.3 only), Kubernetes
/// versions that satisfy the path prerequisites, and the target's plugin published when the platform reaches it.
/// </summary>
public sealed class VersionLineTests
{
    private static readonly string[] ThreeFieldForm = ["Active Global Cluster ETCD Endpoints", "Data Check Interval", "Print detail logs"];

    private static readonly string[] SixFieldForm =
    [
        "Active Global Cluster VIP", "Active Global Cluster ETCD Endpoints", "Standby Cluster ETCD Endpoints",
        "Active Global Cluster Token Secret", "Data Check Interval", "Print detail logs",
    ];

    public static TheoryData<string, string, string?, string, bool, bool, bool> Lines => new()
    {
        // scenario, platform, etcd-sync plugin on the standby (null: none), Kubernetes, lease, bootstrap job, CVO
        { "v3.16", "v3.16.2", null, "v1.28.15", false, false, false },
        { "v3.18", "v3.18.1", null, "v1.30.14", false, false, false },
        { "v4.0", "v4.0.0", "v4.0.0", "v1.31.4", false, false, false },
        { "v4.0-to-4.2", "v4.0.0", "v4.0.0", "v1.32.9", false, false, false },
        { "healthy", "v4.1.0", "v4.1.0", "v1.33.5", false, false, false },
        { "v4.2-to-4.3", "v4.2.0", "v4.2.0", "v1.33.5", false, false, false },
        { "v4.3.0", "v4.3.0", "v4.3.0", "v1.33.5", true, false, true },
        { "v4.3.1", "v4.3.1", "v4.3.1", "v1.33.5", true, true, true },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task EachLineBehavesAsDocumented(string scenario, string platform, string? plugin, string kubernetes, bool lease, bool bootstrap, bool cvo)
    {
        await using var host = await SimHost.StartAsync(scenario);
        foreach (var cluster in host.Sim.Clusters.Values)
        {
            Assert.Equal(platform, cluster.Store.Get("productbases", null, "base").Str("status.version"));
            Assert.Equal(kubernetes.TrimStart('v'), cluster.Store.Get("clusters", null, "global").Str("status.version"));
            Assert.Equal(cvo, cluster.Store.Get("clusterversionshadows", "cpaas-system", "global") is not null);
        }

        using var standby = host.Client("standby");
        Assert.Equal(kubernetes, (await standby.Version.GetCodeAsync()).GitVersion);
        var store = host.Sim.Clusters["standby"].Store;
        if (plugin is null)
        {
            Assert.DoesNotContain(store.List("moduleconfigs"), m => m.Str("spec.name") == "etcd-sync");
            return;
        }

        var config = Assert.Single(store.List("moduleconfigs"), m => m.Str("spec.name") == "etcd-sync");
        Assert.Equal(plugin, config.Str("spec.version"));
        var descriptors = config["spec"]!["deployDescriptors"]!.AsArray().Select(d => d!.AsObject()).ToList();
        Assert.Equal(bootstrap ? SixFieldForm : ThreeFieldForm, descriptors.Select(d => d.Str("displayName")));
        foreach (var d in descriptors)
        {
            Assert.NotEmpty(d["x-descriptors"]!.AsArray());
            Assert.NotNull(config["spec"]!["config"].At(d.Str("path")!)); // each field has a default at its path
        }

        await EtcdSyncTests.WaitForLeaderAsync(standby);
        Assert.Equal(lease, store.Get("leases", "cpaas-system", "etcd-sync-mirror") is not null);
        Assert.Equal(bootstrap, store.Get("jobs", "cpaas-system", "etcd-sync-bootstrap") is not null);
        Assert.Equal(bootstrap, store.Get("secrets", "cpaas-system", "etcd-sync-active-cluster-token") is not null);
    }

    [Fact]
    public async Task TheFormPathsDifferBetweenLinesSoAClientMustReadTheDescriptors()
    {
        var pathsByLine = new Dictionary<string, string>();
        foreach (var scenario in new[] { "v4.0", "healthy", "v4.2-to-4.3", "v4.3.1" })
        {
            await using var host = await SimHost.StartAsync(scenario, dr: false);
            var config = host.Sim.Clusters["global"].Store.List("moduleconfigs").Single(m => m.Str("spec.name") == "etcd-sync");
            pathsByLine[scenario] = config["spec"]!["deployDescriptors"]!.AsArray().Single(d => d.Str("displayName") == "Active Global Cluster ETCD Endpoints").Str("path")!;
        }

        Assert.Equal(pathsByLine.Count, pathsByLine.Values.Distinct().Count());
        Assert.Contains(pathsByLine.Values, p => p.Contains('.', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v3.18", "v4.1.0", "v4.1.0")]
    [InlineData("healthy", "v4.2.0", "v4.2.0")]
    [InlineData("v4.3.0", "v4.3.1", "v4.3.1")]
    public async Task ReachingAVersionPublishesItsEtcdSyncPluginBefore43AndOnlyAPushDoesFrom43(string scenario, string target, string published)
    {
        await using var host = await SimHost.StartAsync(scenario);
        var store = host.Sim.Clusters["standby"].Store;
        bool Published() => store.List("moduleconfigs").Any(m => m.Str("spec.name") == "etcd-sync" && m.Str("spec.version") == published);
        Assert.False(Published());
        await UpgradeTests.PostVersionAsync(host, "standby", target);
        if (published.StartsWith("v4.3", StringComparison.Ordinal))
        {
            // From 4.3 the synchronizer is an Aligned plugin, not in the Core package: the upgrade does not publish it,
            // violet does [doc release-4.3 PRE "Step 1"].
            Assert.False(Published());
            using var http = host.Http("standby");
            (await http.PostAsJsonAsync(new Uri("/_sim/push-plugin", UriKind.Relative), new { module = "etcd-sync", version = published })).EnsureSuccessStatusCode();
        }

        var config = Assert.Single(store.List("moduleconfigs"), m => m.Str("spec.name") == "etcd-sync" && m.Str("spec.version") == published);
        Assert.Equal(published, store.Get("moduleplugins", null, "etcd-sync").Str("status.latestVersion"));
        var labels = config["spec"]!["deployDescriptors"]!.AsArray().Select(d => d.Str("displayName")).ToList();
        Assert.Equal(published == "v4.3.1" ? SixFieldForm : ThreeFieldForm, labels);
    }

    [Fact]
    public async Task Before43ASynchronizerWithoutItsEndpointsAtTheFormPathNeverSyncs()
    {
        await using var host = await SimHost.StartAsync("v4.0");
        using var standby = host.Client("standby");
        await EtcdSyncTests.WaitForLeaderAsync(standby);
        var store = host.Sim.Clusters["standby"].Store;
        var name = store.List("moduleinfoes").Single().Name();
        store.Delete("moduleinfoes", null, name);
        await WatchTests.WaitUntil(() => store.Get("moduleinfoes", null, name) is null);

        // A client that assumed flat key names: the 4.0 form keeps the endpoints at etcd.active.endpoints.
        var info = Controllers.Plugins.ModuleInfo("global", "etcd-sync", "v4.0.0");
        info.Set("spec.config", new JsonObject { ["activeEtcdEndpoints"] = "https://192.168.130.10:2379" });
        store.Create("moduleinfoes", info, WriteMode.Api);
        // The plugin is installed (its pod runs) but its only pod cannot connect: it says why and never starts syncing.
        async Task<string> PodLog()
        {
            var pod = (await standby.CoreV1.ListNamespacedPodAsync("cpaas-system", labelSelector: "app=etcd-sync")).Items.FirstOrDefault(p => p.Status.Phase == "Running");
            if (pod is null)
            {
                return "";
            }

            using var reader = new StreamReader(await standby.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, "cpaas-system"));
            return await reader.ReadToEndAsync();
        }

        await WatchTests.WaitUntilAsync(async () => (await PodLog()).Contains("no Active Global Cluster ETCD Endpoints", StringComparison.Ordinal));
        Assert.DoesNotContain("Start Sync update", await PodLog(), StringComparison.Ordinal);

        store.Mutate("moduleinfoes", null, name, o => o.Set("spec.config.etcd", new JsonObject { ["active"] = new JsonObject { ["endpoints"] = "https://192.168.130.10:2379" } }));
        await WatchTests.WaitUntilAsync(async () => (await PodLog()).Contains("Start Sync update", StringComparison.Ordinal));
        Assert.Equal("Running", store.Get("moduleinfoes", null, name).Str("status.phase"));
        Assert.Null(store.Get("leases", "cpaas-system", "etcd-sync-mirror"));
    }
}
