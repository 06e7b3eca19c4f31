using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Scenarios;
using GlobalUpgrade.Simulator.Store;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>
/// The simulator seeded from a snapshot (Export-GlobalClusterSnapshot's file) instead of a scenario: it seeds and serves
/// the objects, and acts when the rehearsal asks through its admin API; what the snapshot lacks the engine judges.
/// </summary>
public sealed class SnapshotTests
{
    private static readonly string HandWritten = FindFixture("tests/fixtures/snapshot/handwritten-pair.json");

    [Fact]
    public async Task AHandWrittenPairIsServedAsWrittenWithItsCvshGroup()
    {
        await using var host = await SimHost.StartAsync(snapshot: HandWritten);
        Assert.Equal(["primary", "standby"], host.Sim.Clusters.Keys.Order());
        using var http = host.Http("standby");

        var cvsh = await GetAsync(http, "/apis/upgrade.alauda.io/v1beta1/namespaces/cpaas-system/clusterversionshadows/global");
        Assert.Equal("stable-x", cvsh!["metadata"]!["labels"]!["upgrade.alauda.io/channel"]!.GetValue<string>());
        Assert.Equal("upgrade.alauda.io/v1beta1", cvsh.Str("apiVersion"));

        // A cluster serves a resource from one group: the simulator's default CVSH group steps aside.
        Assert.Null(await GetAsync(http, "/apis/config.alauda.io/v1/namespaces/cpaas-system/clusterversionshadows"));
        var groups = await GetAsync(http, "/apis");
        var names = groups!["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("upgrade.alauda.io", names);
        var resources = await GetAsync(http, "/apis/upgrade.alauda.io/v1beta1");
        Assert.Contains(resources!["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "clusterversionshadows" && r["namespaced"]!.GetValue<bool>());

        var machines = await GetAsync(host.Http("primary"), "/apis/platform.tkestack.io/v1/machines");
        Assert.Equal(["dc-a-cp-1", "dc-a-cp-2"], machines!["items"]!.AsArray().Select(m => m!["metadata"]!["name"]!.GetValue<string>()).Order());
        Assert.All(machines["items"]!.AsArray(), m => Assert.Equal("r-07", m!["metadata"]!["labels"]!["topology.example.com/rack"]!.GetValue<string>()));
    }

    [Fact]
    public async Task TheOperatorDrivesTheClusterVersionShadowWhereTheSnapshotServedIt()
    {
        await using var host = await SimHost.StartAsync(snapshot: HandWritten);
        var store = host.Sim.Clusters["primary"].Store;
        var type = store.ServedAs(Store.ResourceTypes.ClusterVersionShadows);
        Assert.Equal("upgrade.alauda.io/v1beta1", type.ApiVersion);
        using var sub = store.Subscribe(type, "cpaas-system", null);
        store.Mutate(type, "cpaas-system", "global", o =>
        {
            // The operator upgrades to a version it offers, requested as offered (the docs' "4.3.2").
            o.Set("status.availableUpdates", new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["version"] = "4.3.2" }));
            o.Set("spec.desiredUpdate.version", "4.3.2");
            return o;
        });

        // The Cluster Version Operator finishes the upgrade there and moves the platform; the synchronizer, an Aligned
        // plugin outside the Core package, is not published by it [doc release-4.3 PRE "Step 1"].
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var e in sub.Live.ReadAllAsync(timeout.Token))
        {
            if (e.Object.Str("status.current.version") == "4.3.2")
            {
                break;
            }
        }

        Assert.Equal("v4.3.2", store.Get(Store.ResourceTypes.ProductBases, null, "base").Str("status.version"));
        Assert.Null(store.Get(Store.ResourceTypes.ModuleConfigs, null, "etcd-sync-v4.3.2"));
        Assert.Empty(store.List(Store.ResourceTypes.ClusterVersionShadows).Items);
    }

    [Fact]
    public async Task AskedThroughItsAdminApiTheOperatorOffersATargetAsItsProductManifestWould()
    {
        await using var host = await SimHost.StartAsync(snapshot: HandWritten);
        using var http = host.Http("primary");
        var before = await OfferAsync(http, "v4.3.2");
        Assert.Empty(before!["offeredBefore"]!.AsArray());
        var store = host.Sim.Clusters["primary"].Store;
        var cvsh = store.Get(store.ServedAs(Store.ResourceTypes.ClusterVersionShadows), "cpaas-system", "global")!;
        Assert.Equal("4.3.2", Assert.Single(cvsh["status"]!["availableUpdates"]!.AsArray())!.Str("version"));

        // Offered now, as the docs write it: nothing changes.
        Assert.Null((await OfferAsync(http, "4.3.2"))!["offeredBefore"]);
        Assert.Single(store.Get(store.ServedAs(Store.ResourceTypes.ClusterVersionShadows), "cpaas-system", "global")!["status"]!["availableUpdates"]!.AsArray());
    }

    [Fact]
    public async Task SecretValuesAreStandInsAndThePairSharesItsToken()
    {
        await using var host = await SimHost.StartAsync(snapshot: HandWritten);
        var source = host.Sim.Clusters["primary"].Store.Get(Store.ResourceTypes.Secrets, "cpaas-system", "k8sadmin")!.Str("data.token");
        var copy = host.Sim.Clusters["standby"].Store.Get(Store.ResourceTypes.Secrets, "cpaas-system", "etcd-sync-active-cluster-token")!.Str("data.token");
        Assert.False(string.IsNullOrEmpty(source));
        Assert.Equal(source, copy);
    }

    [Fact]
    public async Task TheInstalledSynchronizerIsAdoptedByThePluginManager()
    {
        await using var host = await SimHost.StartAsync(snapshot: HandWritten);
        var standby = host.Sim.Clusters["standby"];
        using var sub = standby.Store.Subscribe(Store.ResourceTypes.Pods, "cpaas-system", null);
        bool Running(JsonObject p) => p.Str("status.phase") == "Running" && p.Labels().GetValueOrDefault("app") == "etcd-sync";
        if (!sub.Initial.Any(e => Running(e.Object)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await foreach (var e in sub.Live.ReadAllAsync(timeout.Token))
            {
                if (Running(e.Object))
                {
                    break;
                }
            }
        }

        // Adopted under the name the real platform gave it, Running at once (it was Running when exported).
        var info = Assert.Single(standby.Store.List(Store.ResourceTypes.ModuleInfos).Items);
        Assert.Equal("global-7f3a9c", info.Name());
        Assert.Equal("Running", info.Str("status.phase"));
        Assert.Equal("10.20.0.11:2379", info["spec"]!["config"]!["active"]!["etcd"]!["endpoints"]!.GetValue<string>());
        Assert.DoesNotContain("cpaas.io/vendor-protection", info.Finalizers());
    }

    [Fact]
    public async Task AFrom43TargetsSynchronizerPushedThroughTheAdminApiIsPublishedOnTheStandby()
    {
        await using var host = await SimHost.StartAsync(snapshot: HandWritten);
        // From 4.3 the platform's upgrade does not publish the synchronizer [doc release-4.3 PRE "Step 1"]: a rehearsal
        // pushes it on the standby as violet would.
        var store = host.Sim.Clusters["standby"].Store;
        Assert.Null(store.Get(Store.ResourceTypes.ModuleConfigs, null, "etcd-sync-v4.4.0"));
        using var http = host.Http("standby");
        (await http.PostAsJsonAsync(new Uri("/_sim/push-plugin", UriKind.Relative), new { module = "etcd-sync", version = "v4.4.0" })).EnsureSuccessStatusCode();
        Assert.NotNull(store.Get(Store.ResourceTypes.ModuleConfigs, null, "etcd-sync-v4.4.0"));
    }

    [Fact]
    public async Task WhatASnapshotLacksIsNotInventedAndAKindItsDiscoveryDoesNotListIsNotServed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"snapshot-{Guid.NewGuid():N}.json");
        var doc = new JsonObject
        {
            ["kind"] = "GlobalClusterSnapshot",
            ["formatVersion"] = 1,
            ["clusters"] = new JsonArray(new JsonObject
            {
                ["name"] = "lone",
                ["role"] = "Standalone",
                ["kubernetesVersion"] = "v1.30.2",
                ["notServed"] = new JsonArray("clusterversionshadows.config.alauda.io"),
                ["objects"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "example.io/v1",
                    ["kind"] = "Widget",
                    ["metadata"] = new JsonObject { ["name"] = "w" },
                }),
            }),
        };
        await File.WriteAllTextAsync(path, doc.ToJsonString());
        try
        {
            await using var host = await SimHost.StartAsync(dr: false, snapshot: path);
            Assert.Equal(["global"], host.Sim.Clusters.Keys);
            Assert.DoesNotContain(host.Sim.Clusters["global"].Store.ExtraTypes, t => t.Kind == "Widget");
            using var http = host.Http("global");
            Assert.Null(await GetAsync(http, "/apis/example.io/v1"));
            Assert.Empty(host.Sim.Clusters["global"].Store.List(Store.ResourceTypes.ProductBases).Items);
            Assert.Empty(host.Sim.Clusters["global"].Store.List(Store.ResourceTypes.Machines).Items);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(",\"formatVersion\":2", "has formatVersion 2; this simulator reads formatVersion 1 only")]
    [InlineData(",\"formatVersion\":\"1\"", "has formatVersion \"1\"; this simulator reads formatVersion 1 only")]
    [InlineData("", "has no formatVersion; this simulator reads formatVersion 1 only")]
    public void ASnapshotOfAnotherFormatVersionIsRefused(string formatVersion, string says)
    {
        var path = Path.Combine(Path.GetTempPath(), $"snapshot-format-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"kind\":\"GlobalClusterSnapshot\"" + formatVersion + ",\"clusters\":[{\"name\":\"lone\",\"role\":\"Standalone\",\"objects\":[]}]}");
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => SnapshotSeeder.Load(path));
            Assert.Contains(says, ex.Message, StringComparison.Ordinal);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AFileThatIsNotASnapshotIsRefused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-snapshot-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"kind":"Something","clusters":[]}""");
        try
        {
            Assert.Throws<InvalidDataException>(() => SnapshotSeeder.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<JsonObject?> OfferAsync(HttpClient http, string version)
    {
        using var response = await http.PostAsJsonAsync(new Uri("/_sim/offer-target", UriKind.Relative), new { version });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject;
    }

    private static async Task<JsonObject?> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject;
    }

    private static string FindFixture(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}
