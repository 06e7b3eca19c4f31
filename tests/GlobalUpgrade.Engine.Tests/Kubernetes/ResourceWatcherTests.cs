using System.Diagnostics;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Simulator;
using GlobalUpgrade.Simulator.Admin;
using k8s;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Tests.Kubernetes;

/// <summary>The watch-driven wait against the in-process simulator: resume, 410 re-list, drops, empty watches, timeouts.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes the client through IAsyncLifetime.DisposeAsync.")]
public sealed class ResourceWatcherTests : IAsyncLifetime
{
    private AcpSimulator sim = null!;
    private k8s.Kubernetes client = null!;
    private ClusterEndpoint endpoint = null!;

    public async Task InitializeAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gu-watch-tests", Guid.NewGuid().ToString("N"));
        sim = await AcpSimulator.StartAsync(new SimulatorOptions { Dr = true, KubeconfigPath = Path.Combine(dir, "sim.kubeconfig"), TimeScale = 0.05 });
        client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(sim.KubeconfigPath, currentContext: "primary"));
        endpoint = new ClusterEndpoint(sim.KubeconfigPath, "primary", sim.Clusters["primary"].Server, "primary", "test CA");
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await sim.DisposeAsync();
    }

    private SimCluster Primary => sim.Clusters["primary"];

    private static WaitCondition ConfigMapExists(string name) => new()
    {
        Description = $"config map app1/{name}",
        IsDone = items => items.Any(i => JsonPath.Name(i) == name),
        DescribeState = items => $"{items.Count} config maps: {string.Join(", ", items.Select(JsonPath.Name))}",
    };

    private Task<WaitResult> Wait(string name, TimeSpan? timeout = null, CancellationToken ct = default) =>
        ResourceWatcher.WaitAsync(client, endpoint, "primary", KubeKind.ConfigMaps, new ListArgs("app1", null, null), ConfigMapExists(name), timeout ?? TimeSpan.FromSeconds(20), ct);

    private void CreateConfigMap(string ns, string name) =>
        Primary.Store.Create("configmaps", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns } });

    private static bool IsConfigMapWatch(RequestRecord r) =>
        r.Path.Contains("/configmaps", StringComparison.Ordinal) && r.Path.Contains("watch=", StringComparison.Ordinal);

    private static bool IsConfigMapList(RequestRecord r) =>
        r.Path.Contains("/configmaps", StringComparison.Ordinal) && !r.Path.Contains("watch=", StringComparison.Ordinal);

    // Served to their end or still open; a request leaves the open ones before it is added to the served ones, so a
    // count taken meanwhile is one short, never one over.
    private int Begun(Func<RequestRecord, bool> match) => Primary.Requests.InFlight().Count(match) + Primary.Requests.Snapshot().Count(match);

    /// <summary>Creates the config map once the wait has opened its n-th watch: the change comes while it watches, whatever the load.</summary>
    private async Task CreateWhenWatchedAsync(string name, int watches = 1)
    {
        await Eventually.TrueAsync(() => Begun(IsConfigMapWatch) >= watches, $"config map watch {watches}");
        CreateConfigMap("app1", name);
    }

    [Fact]
    public async Task DoneAtOnceWhenTheListAlreadySatisfiesIt()
    {
        var result = await Wait("foo");
        Assert.Equal((1, 0), (result.Lists, result.Watches));
    }

    [Fact]
    public async Task OneListAndOneWatchSeeALaterChangeAtOnce()
    {
        var waiting = Wait("late");
        await CreateWhenWatchedAsync("late");
        var clock = Stopwatch.StartNew();
        var result = await waiting;
        Assert.Equal((1, 1), (result.Lists, result.Watches));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"seen {clock.Elapsed} after the change");
        var watches = Primary.Requests.Snapshot().Count(r => r.Path.Contains("watch=true", StringComparison.Ordinal) || r.Path.Contains("watch=1", StringComparison.Ordinal));
        Assert.True(watches <= 1, $"{watches} watch requests");
    }

    [Fact]
    public async Task TheWatchConnectionIsClosedWhenTheWaitEnds()
    {
        var waiting = Wait("closes");
        await CreateWhenWatchedAsync("closes");
        await waiting;
        await Eventually.TrueAsync(() => Primary.Requests.Snapshot().Any(IsConfigMapWatch), "the watch to be served to its end");
        Assert.DoesNotContain(Primary.Requests.InFlight(), IsConfigMapWatch);
    }

    [Fact]
    public async Task ADroppedStreamIsResumedFromTheLastResourceVersionWithoutANewList()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = "configmaps.*watch=", DropWatchAfterMs = 300, Times = 3 });
        var waiting = Wait("after-drops");
        await CreateWhenWatchedAsync("after-drops", watches: 2);
        var result = await waiting;
        Assert.Equal(1, result.Lists);
        Assert.True(result.Watches >= 2, $"{result.Watches} watches");
        var lists = Primary.Requests.Snapshot().Count(r => r.Path.Contains("/configmaps", StringComparison.Ordinal) && !r.Path.Contains("watch=", StringComparison.Ordinal));
        Assert.Equal(1, lists);
    }

    [Fact]
    public async Task ACompactedResourceVersion410InTheStreamMakesItListAgain()
    {
        // The first watch drops; meanwhile the history is compacted, so resuming gets a 410 Expired ERROR event.
        Primary.Faults.Add(new FaultRule { PathRegex = "namespaces/app1/configmaps.*watch=", DropWatchAfterMs = 600, Times = 1 });
        var waiting = Wait("after-410");
        await Eventually.TrueAsync(() => Primary.Requests.InFlight().Any(IsConfigMapWatch), "the first watch");
        CreateConfigMap("app2", "bump");
        Primary.Store.Compact();
        await Eventually.TrueAsync(() => Begun(IsConfigMapList) >= 2, "the list after the 410");
        CreateConfigMap("app1", "after-410");
        var result = await waiting;
        Assert.Equal(2, result.Lists);
    }

    [Fact]
    public async Task AnHttp410OnTheWatchRequestMakesItListAgain()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = "configmaps.*watch=", Status = 410, Times = 1 });
        var waiting = Wait("after-http-410");
        await CreateWhenWatchedAsync("after-http-410", watches: 2);
        var result = await waiting;
        Assert.Equal(2, result.Lists);
    }

    [Fact]
    public async Task TheLibraryReportsAWatchEndedWithoutEventsAsHttpRequestExceptionWithEndOfStream()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = "configmaps.*watch=", Status = 200, Body = "", ContentType = "application/json", Times = 1 });
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
#pragma warning disable CS0618
            await foreach (var _ in client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("app1", watch: true).WatchAsync<V1ConfigMap, V1ConfigMapList>())
#pragma warning restore CS0618
            {
            }
        });
        Assert.True(ResourceWatcher.IsEmptyWatch(ex), ex.ToString());
    }

    [Fact]
    public async Task AWatchEndedWithoutEventsIsWatchedAgainNotAFailure()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = "configmaps.*watch=", Status = 200, Body = "", ContentType = "application/json", Times = 12 });
        var waiting = Wait("after-empty");
        await CreateWhenWatchedAsync("after-empty", watches: 13);
        var result = await waiting;
        Assert.True(result.Watches >= 12, $"{result.Watches} watches");
        Assert.Equal(1, result.Lists);
    }

    [Fact]
    public async Task ServerSideWatchTimeoutsAreResumed()
    {
        var previous = ResourceWatcher.WatchRequestSeconds;
        ResourceWatcher.WatchRequestSeconds = 1;
        try
        {
            var waiting = Wait("after-timeouts");
            await CreateWhenWatchedAsync("after-timeouts", watches: 2);
            var result = await waiting;
            Assert.InRange(result.Watches, 2, 4);
            Assert.Equal(1, result.Lists);
        }
        finally
        {
            ResourceWatcher.WatchRequestSeconds = previous;
        }
    }

    [Fact]
    public async Task TimeoutNamesWhatItWaitedForAndTheLastState()
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => Wait("never", TimeSpan.FromSeconds(3)));
        Assert.Equal(ErrorIds.WaitTimedOut, ex.ErrorId);
        Assert.Contains("config map app1/never", ex.Message, StringComparison.Ordinal);
        Assert.Contains("foo", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellationStopsTheWaitAtOnce()
    {
        using var cts = new CancellationTokenSource();
        var wait = Wait("never", TimeSpan.FromSeconds(30), cts.Token);

        // Cancelled while the watch is open: the token, not the 30 s timeout, ends the wait.
        await Eventually.TrueAsync(() => Primary.Requests.InFlight().Any(IsConfigMapWatch), "the config maps watch");
        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"ended {clock.Elapsed} after the cancellation, within a 30 s wait");
    }

    [Fact]
    public async Task CustomObjectsAreWatchedTooAndDeletionIsSeen()
    {
        var modules = await ResourceWatcher.ListAllAsync(client, KubeKind.Custom(AcpResources.ModuleInfos), new ListArgs(null, null, null), default);
        Assert.NotNull(modules.ResourceVersion);
        var machines = KubeKind.Custom(AcpResources.Machines);
        var name = "192.168.130.21";
        var gone = ResourceWatcher.WaitAsync(client, endpoint, "primary", machines, new ListArgs(null, null, $"metadata.name={name}"), new WaitCondition
        {
            Description = $"machine {name} to be gone",
            IsDone = items => items.Count == 0,
        }, TimeSpan.FromSeconds(10), default);
        await Eventually.TrueAsync(() => Primary.Requests.InFlight().Any(r => r.Path.Contains("/machines", StringComparison.Ordinal) && r.Path.Contains("watch=", StringComparison.Ordinal)), "the machines watch");
        Primary.Store.Delete("machines", null, name);
        var result = await gone;
        Assert.Equal(1, result.Events);
    }

    [Fact]
    public async Task AShortWatchHistoryMakesTheResumedWatch410AndTheWaitListsAgain()
    {
        // A busy cluster: the history holds 3 events. The first watch drops; while it is down other changes push the
        // wait's resourceVersion out of the history, so resuming is 410 Expired and the wait lists again.
        Primary.Store.HistoryLimit = 3;
        Primary.Faults.Add(new FaultRule { PathRegex = "namespaces/app1/configmaps.*watch=", DropWatchAfterMs = 600, Times = 1 });
        var waiting = Wait("after-churn");
        await Eventually.TrueAsync(() => Primary.Requests.InFlight().Any(IsConfigMapWatch), "the first watch");
        for (var i = 0; i < 4; i++)
        {
            CreateConfigMap("app2", $"churn-{i}");
        }

        await Eventually.TrueAsync(() => Begun(IsConfigMapList) >= 2, "the list after the 410");
        CreateConfigMap("app1", "after-churn");
        var result = await waiting;
        Assert.Equal(2, result.Lists);
        Assert.Contains(result.Objects, o => JsonPath.Name(o) == "after-churn");
    }

    private ClusterConnection Connection() =>
        new(new GlobalCluster { Name = "primary", Role = ClusterRole.Primary, Context = "primary", Server = endpoint.Server, PlatformVersion = "v4.1.0", KubernetesVersion = "v1.31.4", Kubeconfig = sim.KubeconfigPath }, client, endpoint);

    private static JsonObject Pod(string name, JsonObject state) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "app1" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "x" }) },
        ["status"] = new JsonObject
        {
            ["phase"] = state.ContainsKey("running") ? "Running" : "Pending",
            ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = "c", ["ready"] = state.ContainsKey("running"), ["restartCount"] = 0, ["state"] = state }),
        },
    };

    [Fact]
    public async Task PodLogFollowerRetriesWhileTheContainerIsWaitingToStart()
    {
        // A new synchronizer pod: its log answers 400 "waiting to start" until the container runs.
        Primary.Store.Create("pods", Pod("new-leader", new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } }));
        var waiting = PodLogFollower.WaitForLineAsync(Connection(), "app1", "new-leader", "Start Sync update", TimeSpan.FromSeconds(20), default);
        bool IsLog(RequestRecord r) => r.Path.Contains("/pods/new-leader/log", StringComparison.Ordinal);
        await Eventually.TrueAsync(() => Primary.Requests.Snapshot().Count(r => IsLog(r) && r.Status == 400) >= 2, "two log reads answered 400");
        Assert.False(waiting.IsCompleted);

        Primary.Store.Mutate("pods", "app1", "new-leader", p => p["status"] = Pod("new-leader", new JsonObject { ["running"] = new JsonObject() })["status"]!.DeepClone());
        Primary.Logs.Append("app1", "new-leader", "I0101 Start Sync update");
        var match = await waiting;
        Assert.Equal("I0101 Start Sync update", match.Line);
    }

    [Fact]
    public async Task PodLogFollowerSeesALineLoggedLater()
    {
        Primary.Store.Create("pods", Pod("logger", new JsonObject { ["running"] = new JsonObject() }));
        Primary.Logs.Append("app1", "logger", "starting");
        var connection = Connection();
        var waiting = PodLogFollower.WaitForLineAsync(connection, "app1", "logger", "Start Sync update", TimeSpan.FromSeconds(10), default);
        await Eventually.TrueAsync(() => Primary.Requests.InFlight().Any(r => r.Path.Contains("/log", StringComparison.Ordinal)), "the followed log stream");
        Primary.Logs.Append("app1", "logger", "I0101 Start Sync update");
        var match = await waiting;
        Assert.Equal("I0101 Start Sync update", match.Line);
        await Eventually.TrueAsync(() => Primary.Requests.Snapshot().Any(r => r.Path.Contains("/log", StringComparison.Ordinal)), "the log stream to be closed");
        Assert.Contains(Primary.Requests.Snapshot(), r => r.Path.Contains("/log", StringComparison.Ordinal));
        Assert.NotNull(match.Time);

        var timeout = await Assert.ThrowsAsync<GlobalUpgradeException>(() => PodLogFollower.WaitForLineAsync(connection, "app1", "logger", "never", TimeSpan.FromSeconds(1), default));
        Assert.Contains("Start Sync update", timeout.Message, StringComparison.Ordinal);
        Primary.Store.Delete("pods", "app1", "logger");
        var gone = await Assert.ThrowsAsync<GlobalUpgradeException>(() => PodLogFollower.WaitForLineAsync(connection, "app1", "logger", "never", TimeSpan.FromSeconds(5), default));
        Assert.Equal(ErrorIds.PodGone, gone.ErrorId);
    }
}
