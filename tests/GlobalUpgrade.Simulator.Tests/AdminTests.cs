using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>The <c>/_sim/</c> admin API: store dump, request log, faults, raw objects, platform version.</summary>
public sealed class AdminTests : IAsyncLifetime
{
    private SimHost host = null!;

    public async Task InitializeAsync() => host = await SimHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task StoreDumpListsEveryObjectSorted()
    {
        using var http = host.Http("standby");
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/_sim/store", UriKind.Relative)));
        var kinds = doc.RootElement.EnumerateArray().Select(o => o.GetProperty("kind").GetString()).ToList();
        Assert.Contains("ProductBase", kinds);
        Assert.Contains("Machine", kinds);
        Assert.Contains("Cluster", kinds);
        Assert.Equal(3, kinds.Count(k => k == "Machine"));
    }

    [Fact]
    public async Task RequestLogCountsApiCallsButNotAdminCalls()
    {
        using var http = host.Http("primary");
        await http.DeleteAsync(new Uri("/_sim/requests", UriKind.Relative));
        using var client = host.Client("primary");
        await client.CoreV1.ListNamespaceAsync();
        await client.CoreV1.ReadNamespaceAsync("app1");
        var log = await http.GetFromJsonAsync<JsonElement>(new Uri("/_sim/requests", UriKind.Relative));
        var entries = log.EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("/api/v1/namespaces/app1", entries[1].GetProperty("path").GetString());
        Assert.Equal(200, entries[1].GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task StatusFaultHitsTheGivenNumberOfTimes()
    {
        using var http = host.Http("primary");
        var post = await http.PostAsJsonAsync(new Uri("/_sim/faults", UriKind.Relative), new { pathRegex = "^/apis/platform.tkestack.io/v1/machines", status = 503, times = 1 });
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        using var client = host.Client("primary");
        var failed = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Response.StatusCode);
        await client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines");
    }

    [Fact]
    public async Task ResetAndTruncationFaultsBreakTheResponse()
    {
        using var http = host.Http("primary");
        await http.PostAsJsonAsync(new Uri("/_sim/faults", UriKind.Relative), new { pathRegex = "/namespaces/app1$", reset = true });
        await http.PostAsJsonAsync(new Uri("/_sim/faults", UriKind.Relative), new { pathRegex = "/namespaces/app2$", truncateBodyAt = 20 });
        using var client = host.Client("primary");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.CoreV1.ReadNamespaceAsync("app1"));
        await Assert.ThrowsAnyAsync<Exception>(() => client.CoreV1.ReadNamespaceAsync("app2"));
        await http.DeleteAsync(new Uri("/_sim/faults", UriKind.Relative));
        Assert.Equal("app2", (await client.CoreV1.ReadNamespaceAsync("app2")).Metadata.Name);
    }

    [Fact]
    public async Task LatencyFaultDelaysTheAnswer()
    {
        using var http = host.Http("primary");
        await http.PostAsJsonAsync(new Uri("/_sim/faults", UriKind.Relative), new { pathRegex = "/version", latencyMs = 400 });
        using var client = host.Client("primary");
        var started = DateTime.UtcNow;
        await client.Version.GetCodeAsync();
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(380));
    }

    [Fact]
    public async Task DroppedWatchBreaksTheStreamAfterNEvents()
    {
        using var http = host.Http("primary");
        await http.PostAsJsonAsync(new Uri("/_sim/faults", UriKind.Relative), new { pathRegex = "watch=true", dropWatchAfterEvents = 2 });
        using var client = host.Client("primary");
        var seen = 0;
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in client.CoreV1.WatchListNamespaceAsync())
            {
                seen++;
            }
        });
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task WatchDroppedAfterATimeBreaksTheStream()
    {
        using var http = host.Http("primary");
        await http.PostAsJsonAsync(new Uri("/_sim/faults", UriKind.Relative), new { pathRegex = "watch=true", dropWatchAfterMs = 300, times = 1 });
        using var client = host.Client("primary");
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in client.CoreV1.WatchListNamespaceAsync())
            {
            }
        });
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ReadonlyContextMayReadTheVersionOnly()
    {
        using var client = host.Client("standby-readonly");
        Assert.Equal("v1.33.5", (await client.Version.GetCodeAsync()).GitVersion);
        var forbidden = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Response.StatusCode);
    }

    [Fact]
    public async Task RawObjectsAndPlatformVersionBypassTheApiRules()
    {
        using var http = host.Http("standby");
        var machine = new
        {
            apiVersion = "platform.tkestack.io/v1",
            kind = "Machine",
            metadata = new { name = "10.0.0.9" },
            spec = new { clusterName = "global", ip = "10.0.0.9", role = "node", type = "Baremetal", port = 22, username = "root" },
            status = new { phase = "Initializing" },
        };
        (await http.PostAsJsonAsync(new Uri("/_sim/objects", UriKind.Relative), new[] { machine })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync(new Uri("/_sim/platform-version", UriKind.Relative), new { version = "v4.2.0" })).EnsureSuccessStatusCode();

        using var client = host.Client("standby");
        var m = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines", "10.0.0.9");
        Assert.Equal("Initializing", m.GetProperty("status").GetProperty("phase").GetString());
        var pb = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("product.alauda.io", "v1alpha1", "productbases", "base");
        Assert.Equal("v4.2.0", pb.GetProperty("status").GetProperty("version").GetString());
    }
}
