using k8s;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>Watches as KubernetesClient consumes them: initial ADDED events, resume, 410 Expired, bookmarks, timeouts.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private SimHost host = null!;

    public async Task InitializeAsync() => host = await SimHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task WatchWithoutResourceVersionReplaysCurrentObjectsThenLiveEvents()
    {
        using var client = host.Client("primary");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<(WatchEventType, string)>();
        var watch = Task.Run(async () =>
        {
            await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync("app1", cancellationToken: cts.Token))
            {
                seen.Add((type, cm.Metadata.Name));
                if (type == WatchEventType.Deleted)
                {
                    break;
                }
            }
        });
        await WaitUntil(() => seen.Count >= 1);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "live" } }, "app1");
        await client.CoreV1.DeleteNamespacedConfigMapAsync("live", "app1");
        await watch;
        Assert.Equal([(WatchEventType.Added, "foo"), (WatchEventType.Added, "live"), (WatchEventType.Deleted, "live")], seen);
    }

    [Fact]
    public async Task WatchResumesAfterAResourceVersionAndHonoursSelectors()
    {
        using var client = host.Client("primary");
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("app1");
        var from = list.Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a", Labels = new Dictionary<string, string> { ["pick"] = "me" } } }, "app1");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, "app1");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"k\":\"v\"}}", V1Patch.PatchType.MergePatch), "a", "app1");

        var seen = new List<(WatchEventType, string)>();
        await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync("app1", resourceVersion: from, labelSelector: "pick=me", timeoutSeconds: 1))
        {
            seen.Add((type, cm.Metadata.Name));
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([(WatchEventType.Added, "a"), (WatchEventType.Modified, "a")], seen);
    }

    [Fact]
    public async Task WatchFromACompactedResourceVersionGets410Expired()
    {
        using var client = host.Client("primary");
        var old = (await client.CoreV1.ListNamespacedConfigMapAsync("app1")).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after" } }, "app1");
        host.Sim.Clusters["primary"].Store.Compact();

        Exception? error = null;
        var events = 0;
        await foreach (var _ in client.CoreV1.WatchListNamespacedConfigMapAsync("app1", resourceVersion: old, onError: e => error = e))
        {
            events++;
        }

        Assert.Equal(0, events);
        var expired = Assert.IsType<KubernetesException>(error);
        Assert.Equal(410, expired.Status.Code);
        Assert.Equal("Expired", expired.Status.Reason);
    }

    [Fact]
    public async Task BookmarksCarryTheResourceVersionAndTimeoutEndsTheStream()
    {
        using var http = host.Http("primary");
        var started = DateTime.UtcNow;
        var body = await http.GetStringAsync(new Uri("/api/v1/namespaces/app1/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1", UriKind.Relative));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("{\"type\":\"ADDED\"", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("{\"type\":\"BOOKMARK\"", StringComparison.Ordinal) && l.Contains("\"resourceVersion\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ObjectThatStopsMatchingTheSelectorIsReportedDeleted()
    {
        using var client = host.Client("primary");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "sel", Labels = new Dictionary<string, string> { ["tier"] = "a" } } }, "app1");
        var seen = new List<(WatchEventType, string)>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watch = Task.Run(async () =>
        {
            await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync("app1", labelSelector: "tier=a", cancellationToken: cts.Token))
            {
                seen.Add((type, cm.Metadata.Name));
                if (seen.Count == 3)
                {
                    break;
                }
            }
        });
        await WaitUntil(() => seen.Count >= 1);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"b\"}}}", V1Patch.PatchType.MergePatch), "sel", "app1");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"a\"}}}", V1Patch.PatchType.MergePatch), "sel", "app1");
        await watch;
        Assert.Equal([(WatchEventType.Added, "sel"), (WatchEventType.Deleted, "sel"), (WatchEventType.Added, "sel")], seen);
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met");
            }

            await Task.Delay(20);
        }
    }

    internal static async Task WaitUntil(Func<bool> condition, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met");
            }

            await Task.Delay(20);
        }
    }
}
