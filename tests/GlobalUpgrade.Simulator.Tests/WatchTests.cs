using k8s;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>Watches as KubernetesClient consumes them: initial ADDED events, resume, 410 Expired, bookmarks, timeouts.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private SimHost _host = null!;

    public async Task InitializeAsync() => _host = await SimHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Watch_without_resource_version_replays_current_objects_then_live_events()
    {
        using var client = _host.Client("primary");
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
    public async Task Watch_resumes_after_a_resource_version_and_honours_selectors()
    {
        using var client = _host.Client("primary");
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
    public async Task Watch_from_a_compacted_resource_version_gets_410_expired()
    {
        using var client = _host.Client("primary");
        var old = (await client.CoreV1.ListNamespacedConfigMapAsync("app1")).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after" } }, "app1");
        _host.Sim.Clusters["primary"].Store.Compact();

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
    public async Task Bookmarks_carry_the_resource_version_and_timeout_ends_the_stream()
    {
        using var http = _host.Http("primary");
        var started = DateTime.UtcNow;
        var body = await http.GetStringAsync(new Uri("/api/v1/namespaces/app1/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1", UriKind.Relative));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("{\"type\":\"ADDED\"", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("{\"type\":\"BOOKMARK\"", StringComparison.Ordinal) && l.Contains("\"resourceVersion\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Object_that_stops_matching_the_selector_is_reported_deleted()
    {
        using var client = _host.Client("primary");
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
