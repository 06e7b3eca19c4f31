using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GlobalUpgrade.Simulator.Store;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>The etcd synchronizer controller, its monitor behind the service proxy, and the mirror.</summary>
public sealed class EtcdSyncTests
{
    private const string CheckPath = "/api/v1/namespaces/cpaas-system/services/etcd-sync-monitor:80/proxy/check";

    [Fact]
    public async Task HealthyStandbyRunsALeaderThatLoggedStartSyncAndReportsInSync()
    {
        await using var host = await SimHost.StartAsync("healthy");
        using var standby = host.Client("standby");
        var pod = await WaitForLeaderAsync(standby);
        Assert.Equal("Running", pod.Status.Phase);
        Assert.True(pod.Status.ContainerStatuses.Single().Ready);
        var log = await standby.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, "cpaas-system");
        using var reader = new StreamReader(log);
        var text = await reader.ReadToEndAsync();
        Assert.Contains("Start Sync update", text, StringComparison.Ordinal);

        // 4.1: no lease etcd-sync-mirror (documented from 4.3 only); the leader is the first pod by name.
        Assert.DoesNotContain("Acquired leader lease", text, StringComparison.Ordinal);
        Assert.Null(host.Sim.Clusters["standby"].Store.Get("leases", "cpaas-system", "etcd-sync-mirror"));

        var check = await CheckAsync(host);
        Assert.Equal("LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\n", check);

        // The primary has no synchronizer: no monitor service there.
        using var http = host.Http("primary");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(CheckPath, UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task MirrorCopiesNewPrimaryObjectsToTheStandby()
    {
        await using var host = await SimHost.StartAsync("healthy");
        using var primary = host.Client("primary");
        await primary.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "copied" }, Data = new Dictionary<string, string> { ["a"] = "b" } }, "app1");
        await WatchTests.WaitUntil(() => host.Sim.Clusters["standby"].Store.Get("configmaps", "app1", "copied") is not null);
        Assert.Equal("LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\n", await CheckAsync(host));
    }

    [Fact]
    public async Task MissedKeysClearAfterTheLeaderPodIsDeleted()
    {
        await using var host = await SimHost.StartAsync("missed-keys");
        using var standby = host.Client("standby");
        var leader = await WaitForLeaderAsync(standby);
        var check = await CheckAsync(host);
        Assert.Contains("/registry/configmaps/app1/missed-a\n", check, StringComparison.Ordinal);
        Assert.Contains("/registry/secrets/app2/missed-b\n", check, StringComparison.Ordinal);

        await standby.CoreV1.DeleteNamespacedPodAsync(leader.Metadata.Name, "cpaas-system");
        var next = await WaitForLeaderAsync(standby, notNamed: leader.Metadata.Name);
        Assert.NotEqual(leader.Metadata.Name, next.Metadata.Name);
        await WatchTests.WaitUntilAsync(async () => await CheckAsync(host) == "LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\n");
    }

    [Fact]
    public async Task SurplusKeysAreReportedAndKept()
    {
        await using var host = await SimHost.StartAsync("surplus-keys");
        using var standby = host.Client("standby");
        await WaitForLeaderAsync(standby);
        var check = await CheckAsync(host);
        Assert.Equal("LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\n/registry/apps/deployments/app2/old-web\n/registry/configmaps/app1/leftover\n", check);
    }

    [Fact]
    public async Task UninstallTearsDownThenReleasesTheModuleInfoAndInstallBringsItBack()
    {
        await using var host = await SimHost.StartAsync("v4.3.1");
        using var standby = host.Client("standby");
        await WaitForLeaderAsync(standby);
        const string selector = "cpaas.io/module-name=etcd-sync,cpaas.io/cluster-name=global,cpaas.io/module-type=plugin";
        var infos = (JsonElement)await standby.CustomObjects.ListClusterCustomObjectAsync("cluster.alauda.io", "v1alpha1", "moduleinfoes", labelSelector: selector);
        var name = infos.GetProperty("items")[0].GetProperty("metadata").GetProperty("name").GetString()!;
        Assert.StartsWith("global-", name, StringComparison.Ordinal);

        await standby.CustomObjects.DeleteClusterCustomObjectAsync("cluster.alauda.io", "v1alpha1", "moduleinfoes", name);
        await WatchTests.WaitUntil(() => host.Sim.Clusters["standby"].Store.Get("moduleinfoes", null, name) is null);
        Assert.Empty((await standby.CoreV1.ListNamespacedPodAsync("cpaas-system", labelSelector: "app=etcd-sync")).Items);
        using var http = host.Http("standby");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(CheckPath, UriKind.Relative))).StatusCode);

        // Install a 4.3.1 plugin under any name: the platform renames it and runs the bootstrap job first.
        var info = new Dictionary<string, object>
        {
            ["apiVersion"] = "cluster.alauda.io/v1alpha1",
            ["kind"] = "ModuleInfo",
            ["metadata"] = new Dictionary<string, object>
            {
                ["generateName"] = "etcd-sync-",
                ["labels"] = new Dictionary<string, string> { ["cpaas.io/module-name"] = "etcd-sync", ["cpaas.io/cluster-name"] = "global", ["cpaas.io/module-type"] = "plugin" },
            },
            ["spec"] = new Dictionary<string, object>
            {
                ["version"] = "v4.3.1",
                ["config"] = new Dictionary<string, object>
                {
                    ["active"] = new Dictionary<string, object> { ["vip"] = "192.168.130.10", ["etcdEndpoints"] = "https://192.168.130.10:2379", ["tokenSecretName"] = "etcd-sync-active-cluster-token" },
                },
            },
        };
        await standby.CustomObjects.CreateClusterCustomObjectAsync(info, "cluster.alauda.io", "v1alpha1", "moduleinfoes");
        await WatchTests.WaitUntil(() => host.Sim.Clusters["standby"].Store.Get("moduleinfoes", null, name)?["status"]?["phase"]?.ToString() == "Running");
        var job = await standby.BatchV1.ReadNamespacedJobAsync("etcd-sync-bootstrap", "cpaas-system");
        Assert.Equal(1, job.Status.Succeeded);
        Assert.Contains(job.Status.Conditions, c => c.Type == "Complete" && c.Status == "True");
        await WaitForLeaderAsync(standby);
        Assert.Single((JsonElement[])[.. ((JsonElement)await standby.CustomObjects.ListClusterCustomObjectAsync("cluster.alauda.io", "v1alpha1", "moduleinfoes", labelSelector: selector)).GetProperty("items").EnumerateArray()]);
    }

    [Fact]
    public async Task WithoutTheActiveClusterTokenTheSynchronizerDoesNotLead()
    {
        await using var host = await SimHost.StartAsync("v4.3.1");
        using var standby = host.Client("standby");
        var store = host.Sim.Clusters["standby"].Store;
        var name = await UninstallSeededPluginAsync(standby, store);
        await standby.CoreV1.DeleteNamespacedSecretAsync("etcd-sync-active-cluster-token", "cpaas-system");

        var info = GlobalUpgrade.Simulator.Controllers.Plugins.ModuleInfo("global", "etcd-sync", "v4.3.1");
        info.Set("spec.config.active.etcdEndpoints", "https://192.168.130.10:2379");
        store.Create("moduleinfoes", info, GlobalUpgrade.Simulator.Store.WriteMode.Api);
        // The lease is taken before connecting (the docs grep the leader's log for "Acquired leader lease", then
        // "Start Sync update"): the holder says why it cannot connect and never starts syncing.
        var holder = await WaitForLogAsync(standby, LeaseHolder(store), "secret cpaas-system/etcd-sync-active-cluster-token is missing or its token is rejected");
        Assert.DoesNotContain("Start Sync update", await LogAsync(standby, holder), StringComparison.Ordinal);

        using var primary = host.Client("primary");
        var primaryToken = (await primary.CoreV1.ReadNamespacedSecretAsync("k8sadmin", "cpaas-system")).Data["token"];
        await standby.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "etcd-sync-active-cluster-token" }, Data = new Dictionary<string, byte[]> { ["token"] = primaryToken } }, "cpaas-system");
        await WaitForLeaderAsync(standby);
        await WatchTests.WaitUntil(() => store.Get("moduleinfoes", null, name).Str("status.phase") == "Running");
    }

    [Fact]
    public async Task FollowStreamsTheLogOfANewLeaderUntilStartSync()
    {
        await using var host = await SimHost.StartAsync("v4.3.0", timeScale: 0.5);
        using var standby = host.Client("standby");
        var leader = await WaitForLeaderAsync(standby);

        // With the leader's and the other replica's pods both gone, the deployment's new pods elect a leader anew.
        foreach (var pod in (await standby.CoreV1.ListNamespacedPodAsync("cpaas-system", labelSelector: "app=etcd-sync")).Items)
        {
            await standby.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "cpaas-system");
        }

        var store = host.Sim.Clusters["standby"].Store;
        string? next = null;
        await WatchTests.WaitUntil(() => (next = LeaseHolder(store)()) is { } h && h != leader.Metadata.Name);
        var pending = await standby.CoreV1.ReadNamespacedPodAsync(next!, "cpaas-system");
        Assert.NotNull(pending.Metadata.CreationTimestamp);

        using var stream = await standby.CoreV1.ReadNamespacedPodLogAsync(next, "cpaas-system", follow: true);
        using var reader = new StreamReader(stream);
        string? line;
        var lines = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null)
        {
            lines.Add(line);
            if (line.Contains("Start Sync update", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.Contains(lines, l => l.Contains("Acquired leader lease", StringComparison.Ordinal));
        Assert.Contains("Start Sync update", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MonitorAnswerCanBeOverridden()
    {
        await using var host = await SimHost.StartAsync("healthy");
        using var standby = host.Client("standby");
        await WaitForLeaderAsync(standby);
        using var http = host.Http("standby");
        await http.PostAsJsonAsync(new Uri("/_sim/monitor", UriKind.Relative), new { status = 500, body = "<html><body>502 Bad Gateway</body></html>", contentType = "text/html" });
        var response = await http.GetAsync(new Uri(CheckPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.StartsWith("<html>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await http.DeleteAsync(new Uri("/_sim/monitor", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(CheckPath, UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task ProxyToAServiceWithoutEndpointsIs503AndAMissingServiceIs404()
    {
        await using var host = await SimHost.StartAsync("healthy", dr: false);
        using var client = host.Client("global");
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "lonely" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } }, "app1");
        using var http = host.Http("global");
        var noEndpoints = await http.GetAsync(new Uri("/api/v1/namespaces/app1/services/lonely/proxy/check", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, noEndpoints.StatusCode);
        using var status = JsonDocument.Parse(await noEndpoints.Content.ReadAsStringAsync());
        Assert.Equal("no endpoints available for service \"lonely\"", status.RootElement.GetProperty("message").GetString());
        var missing = await http.GetAsync(new Uri("/api/v1/namespaces/app1/services/http:nope:80/proxy/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task MonitorCanHangOrCutItsAnswer()
    {
        await using var host = await SimHost.StartAsync("healthy");
        using var standby = host.Client("standby");
        await WaitForLeaderAsync(standby);
        using var http = host.Http("standby");
        await http.PostAsJsonAsync(new Uri("/_sim/monitor", UriKind.Relative), new { body = "LOCAL ETCD missed keys:\n/registry/configmaps/app1/a\nLOCAL ETCD surplus keys:\n", truncateBodyAt = 30 });
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(new Uri(CheckPath, UriKind.Relative)));

        await http.PostAsJsonAsync(new Uri("/_sim/monitor", UriKind.Relative), new { hangMs = 5000, body = "late" });
        using var impatient = host.Http("standby");
        impatient.Timeout = TimeSpan.FromMilliseconds(300);
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetStringAsync(new Uri(CheckPath, UriKind.Relative)));
    }

    [Fact]
    public async Task OldVariantsAreSeededOnThePrimary()
    {
        await using (var host = await SimHost.StartAsync("v3.16"))
        {
            using var primary = host.Client("primary");
            await primary.AppsV1.ReadNamespacedDeploymentAsync("etcd-mirror-etcd-mirror", "kube-system");
            await primary.CoreV1.ReadNamespacedConfigMapAsync("etcd-sync-ignore-text", "kube-system");
            await primary.CoreV1.ReadNamespacedSecretAsync("etcd-slave-mirror-cert", "kube-system");
        }

        await using (var host = await SimHost.StartAsync("v3.18"))
        {
            using var primary = host.Client("primary");
            var infos = (JsonElement)await primary.CustomObjects.ListClusterCustomObjectAsync("cluster.alauda.io", "v1alpha1", "moduleinfoes", labelSelector: "cpaas.io/module-name=etcdsync");
            Assert.Equal(1, infos.GetProperty("items").GetArrayLength());
        }
    }

    [Fact]
    public async Task From43TwoReplicasRunAndOnlyTheLeaseHolderSyncs()
    {
        await using var host = await SimHost.StartAsync("v4.3.0");
        using var standby = host.Client("standby");
        var leader = await WaitForLeaderAsync(standby);
        var pods = (await standby.CoreV1.ListNamespacedPodAsync("cpaas-system", labelSelector: "app=etcd-sync")).Items;
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal("Running", p.Status.Phase));
        var other = pods.Single(p => p.Metadata.Name != leader.Metadata.Name).Metadata.Name;
        await WaitForLogAsync(standby, other, "attempting to acquire leader lease cpaas-system/etcd-sync-mirror");
        Assert.DoesNotContain("Start Sync update", await LogAsync(standby, other), StringComparison.Ordinal);

        // The leader's pod deleted, the waiting replica takes the lease and starts syncing; a new pod replaces the old.
        await standby.CoreV1.DeleteNamespacedPodAsync(leader.Metadata.Name, "cpaas-system");
        var successor = await WaitForLeaderAsync(standby, notNamed: leader.Metadata.Name);
        Assert.Equal(other, successor.Metadata.Name);
        await WatchTests.WaitUntilAsync(async () => (await standby.CoreV1.ListNamespacedPodAsync("cpaas-system", labelSelector: "app=etcd-sync")).Items.Count(p => p.Metadata.Name != other && p.Metadata.Name != leader.Metadata.Name) == 1);
    }

    [Theory]
    [InlineData("https://192.168.130.99:2379", "dial tcp 192.168.130.99:2379: i/o timeout")]
    [InlineData("https://192.168.130.10:2380", "dial tcp 192.168.130.10:2380: connect: connection refused")]
    [InlineData("192.168.130.10:2379", "parse error")]
    public async Task ALeaderWithAWrongActiveEndpointLogsWhyAndNeverStartsSyncUntilItIsFixed(string endpoint, string logged)
    {
        await using var host = await SimHost.StartAsync("v4.3.0");
        using var standby = host.Client("standby");
        var store = host.Sim.Clusters["standby"].Store;
        var name = await UninstallSeededPluginAsync(standby, store);

        var info = GlobalUpgrade.Simulator.Controllers.Plugins.ModuleInfo("global", "etcd-sync", "v4.3.0");
        info.Set("spec.config.activeEtcdEndpoints", endpoint);
        store.Create("moduleinfoes", info, GlobalUpgrade.Simulator.Store.WriteMode.Api);
        var holder = await WaitForLogAsync(standby, LeaseHolder(store), logged);
        Assert.Equal("Running", (await standby.CoreV1.ReadNamespacedPodAsync(holder, "cpaas-system")).Status.Phase);
        Assert.DoesNotContain("Start Sync update", await LogAsync(standby, holder), StringComparison.Ordinal);

        store.Mutate("moduleinfoes", null, name, o => o.Set("spec.config.activeEtcdEndpoints", "https://192.168.130.11:2379,https://192.168.130.10:2379"));
        await WaitForLogAsync(standby, () => holder, "Start Sync update");
    }

    [Fact]
    public async Task WhenPort2379OfTheActiveClusterIsNotReachableTheLeaderNeverStartsSync()
    {
        var scenario = Path.Combine(Path.GetTempPath(), $"etcd-unreachable-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(scenario, "extends: v4.3.0\nclusters:\n  standby:\n    etcdSync:\n      activeEtcdUnreachable: true\n");
        try
        {
            await using var host = await SimHost.StartAsync(scenario);
            using var standby = host.Client("standby");
            var holder = await WaitForLogAsync(standby, LeaseHolder(host.Sim.Clusters["standby"].Store), "dial tcp 192.168.130.10:2379: i/o timeout (port 2379 not reachable from the standby)");
            Assert.DoesNotContain("Start Sync update", await LogAsync(standby, holder), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(scenario);
        }
    }

    /// <summary>Deletes the scenario's running plugin (its ModuleInfo) and waits until it and its lease are gone; returns the ModuleInfo's name.</summary>
    private static async Task<string> UninstallSeededPluginAsync(Kubernetes standby, ObjectStore store)
    {
        await WaitForLeaderAsync(standby);
        var name = store.List("moduleinfoes").Single().Str("metadata.name")!;
        await standby.CustomObjects.DeleteClusterCustomObjectAsync("cluster.alauda.io", "v1alpha1", "moduleinfoes", name);
        await WatchTests.WaitUntil(() => store.Get("moduleinfoes", null, name) is null && store.Get("leases", "cpaas-system", "etcd-sync-mirror") is null);
        return name;
    }

    private static Func<string?> LeaseHolder(ObjectStore store) => () => store.Get("leases", "cpaas-system", "etcd-sync-mirror").Str("spec.holderIdentity");

    private static async Task<string> LogAsync(Kubernetes client, string pod)
    {
        using var reader = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync(pod, "cpaas-system"));
        return await reader.ReadToEndAsync();
    }

    /// <summary>Waits until the pod <paramref name="pod"/> names (read again each time) has logged <paramref name="text"/>; returns that pod.</summary>
    private static async Task<string> WaitForLogAsync(Kubernetes client, Func<string?> pod, string text)
    {
        string? name = null;
        await WatchTests.WaitUntilAsync(async () => (name = pod()) is not null && (await LogAsync(client, name)).Contains(text, StringComparison.Ordinal));
        return name!;
    }

    private static Task<string> WaitForLogAsync(Kubernetes client, string pod, string text) => WaitForLogAsync(client, () => pod, text);

    /// <summary>The leader as the docs find it: lease etcd-sync-mirror's holder on 4.3+, else the first pod by name
    /// (release-4.1 install/global_dr.mdx, `--no-headers | head -1`), once it runs and logged "Start Sync update".</summary>
    internal static async Task<V1Pod> WaitForLeaderAsync(Kubernetes client, string? notNamed = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            V1Pod? candidate = null;
            try
            {
                var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("etcd-sync-mirror", "cpaas-system");
                candidate = lease.Spec.HolderIdentity == notNamed ? null : await client.CoreV1.ReadNamespacedPodAsync(lease.Spec.HolderIdentity, "cpaas-system");
                candidate = candidate is not null && (await LogAsync(client, candidate.Metadata.Name)).Contains("Start Sync update", StringComparison.Ordinal) ? candidate : null;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                var first = (await client.CoreV1.ListNamespacedPodAsync("cpaas-system", labelSelector: "app=etcd-sync")).Items
                    .Where(p => p.Metadata.Name != notNamed).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).FirstOrDefault();
                if (first is { Status.Phase: "Running" })
                {
                    using var reader = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync(first.Metadata.Name, "cpaas-system"));
                    candidate = (await reader.ReadToEndAsync()).Contains("Start Sync update", StringComparison.Ordinal) ? first : null;
                }
            }

            if (candidate is { Status.Phase: "Running" })
            {
                return candidate;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no etcd-sync leader");
            }

            await Task.Delay(25);
        }
    }

    private static async Task<string> CheckAsync(SimHost host)
    {
        using var http = host.Http("standby");
        var response = await http.GetAsync(new Uri(CheckPath, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
