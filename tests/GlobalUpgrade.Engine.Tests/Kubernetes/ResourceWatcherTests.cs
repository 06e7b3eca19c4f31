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

    private async Task CreateLater(string ns, string name, int ms)
    {
        await Task.Delay(ms);
        CreateConfigMap(ns, name);
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
        var created = CreateLater("app1", "late", 1500);
        var clock = Stopwatch.StartNew();
        var result = await Wait("late");
        await created;
        Assert.Equal((1, 1), (result.Lists, result.Watches));
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.4, 2.5);
        var watches = Primary.Requests.Snapshot().Count(r => r.Path.Contains("watch=true", StringComparison.Ordinal) || r.Path.Contains("watch=1", StringComparison.Ordinal));
        Assert.True(watches <= 1, $"{watches} watch requests");
    }

    [Fact]
    public async Task TheWatchConnectionIsClosedWhenTheWaitEnds()
    {
        var created = CreateLater("app1", "closes", 500);
        await Wait("closes");
        await created;
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (!Primary.Requests.Snapshot().Any(r => r.Path.Contains("watch=true", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains(Primary.Requests.Snapshot(), r => r.Path.Contains("watch=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADroppedStreamIsResumedFromTheLastResourceVersionWithoutANewList()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = "configmaps.*watch=", DropWatchAfterMs = 300, Times = 3 });
        var created = CreateLater("app1", "after-drops", 1500);
        var result = await Wait("after-drops");
        await created;
        Assert.Equal(1, result.Lists);
        Assert.True(result.Watches >= 2, $"{result.Watches} watches");
        var lists = Primary.Requests.Snapshot().Count(r => r.Path.Contains("/configmaps", StringComparison.Ordinal) && !r.Path.Contains("watch=", StringComparison.Ordinal));
        Assert.Equal(1, lists);
    }

    // On a loaded machine a fixed delay may pass before the wait has even listed: wait for its watch instead.
    private async Task WatchStartedAsync()
    {
        for (var i = 0; i < 200 && !Primary.Requests.Snapshot().Any(r => r.Path.Contains("/configmaps", StringComparison.Ordinal) && r.Path.Contains("watch=", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ACompactedResourceVersion410InTheStreamMakesItListAgain()
    {
        // The first watch drops; meanwhile the history is compacted, so resuming gets a 410 Expired ERROR event.
        Primary.Faults.Add(new FaultRule { PathRegex = "namespaces/app1/configmaps.*watch=", DropWatchAfterMs = 600, Times = 1 });
        var waiting = Wait("after-410");
        await WatchStartedAsync();
        CreateConfigMap("app2", "bump");
        Primary.Store.Compact();
        await Task.Delay(1200);
        CreateConfigMap("app1", "after-410");
        var result = await waiting;
        Assert.Equal(2, result.Lists);
    }

    [Fact]
    public async Task AnHttp410OnTheWatchRequestMakesItListAgain()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = "configmaps.*watch=", Status = 410, Times = 1 });
        var created = CreateLater("app1", "after-http-410", 800);
        var result = await Wait("after-http-410");
        await created;
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
        var created = CreateLater("app1", "after-empty", 1000);
        var result = await Wait("after-empty");
        await created;
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
            var created = CreateLater("app1", "after-timeouts", 2500);
            var result = await Wait("after-timeouts");
            await created;
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
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Wait("never", TimeSpan.FromSeconds(30), cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), clock.Elapsed.ToString());
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
        await Task.Delay(300);
        Primary.Store.Delete("machines", null, name);
        var result = await gone;
        Assert.Equal(1, result.Events);
    }

    [Fact]
    public async Task PodLogFollowerSeesALineLoggedLater()
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "logger", ["namespace"] = "app1" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "x" }) },
        };
        Primary.Store.Create("pods", pod);
        Primary.Logs.Append("app1", "logger", "starting");
        var connection = new ClusterConnection(new GlobalCluster { Name = "primary", Role = ClusterRole.Primary, Context = "primary", Server = endpoint.Server, PlatformVersion = "v4.1.0", KubernetesVersion = "v1.31.4", Kubeconfig = sim.KubeconfigPath }, client, endpoint);
        var waiting = PodLogFollower.WaitForLineAsync(connection, "app1", "logger", "Start Sync update", TimeSpan.FromSeconds(10), default);
        await Task.Delay(500);
        Primary.Logs.Append("app1", "logger", "I0101 Start Sync update");
        var match = await waiting;
        Assert.Equal("I0101 Start Sync update", match.Line);
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (!Primary.Requests.Snapshot().Any(r => r.Path.Contains("/log", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains(Primary.Requests.Snapshot(), r => r.Path.Contains("/log", StringComparison.Ordinal));
        Assert.NotNull(match.Time);

        var timeout = await Assert.ThrowsAsync<GlobalUpgradeException>(() => PodLogFollower.WaitForLineAsync(connection, "app1", "logger", "never", TimeSpan.FromSeconds(1), default));
        Assert.Contains("Start Sync update", timeout.Message, StringComparison.Ordinal);
        Primary.Store.Delete("pods", "app1", "logger");
        var gone = await Assert.ThrowsAsync<GlobalUpgradeException>(() => PodLogFollower.WaitForLineAsync(connection, "app1", "logger", "never", TimeSpan.FromSeconds(5), default));
        Assert.Equal(ErrorIds.PodGone, gone.ErrorId);
    }
}
