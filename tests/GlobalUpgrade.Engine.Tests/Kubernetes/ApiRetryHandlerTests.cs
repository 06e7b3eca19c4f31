using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Simulator;
using GlobalUpgrade.Simulator.Admin;
using k8s;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Tests.Kubernetes;

/// <summary>
/// Pushback ridden out through the connection's own pipeline (KubeClientFactory) against the in-process simulator:
/// which answers are sent again, after how long, how often, and what the caller sees when it gives up.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes through IAsyncLifetime.DisposeAsync.")]
public sealed class ApiRetryHandlerTests : IAsyncLifetime
{
    private const string ConfigMaps = "^/api/v1/namespaces/app1/configmaps";
    private AcpSimulator sim = null!;
    private readonly List<ClusterConnection> connections = [];

    public async Task InitializeAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gu-retry-tests", Guid.NewGuid().ToString("N"));
        sim = await AcpSimulator.StartAsync(new SimulatorOptions { Dr = true, KubeconfigPath = Path.Combine(dir, "sim.kubeconfig"), TimeScale = 0.05 });
    }

    public async Task DisposeAsync()
    {
        connections.ForEach(c => c.Dispose());
        await sim.DisposeAsync();
    }

    private SimCluster Primary => sim.Clusters["primary"];

    private ClusterConnection Connect(string context = "primary", TimeSpan? requestTimeout = null)
    {
        var (client, endpoint) = KubeClientFactory.Create(sim.KubeconfigPath, context, requestTimeout: requestTimeout);
        var connection = new ClusterConnection(new GlobalCluster { Name = context, Role = ClusterRole.Standalone, Context = context, Server = endpoint.Server, PlatformVersion = "", KubernetesVersion = "", Kubeconfig = sim.KubeconfigPath }, client, endpoint);
        connections.Add(connection);
        return connection;
    }

    private List<RequestRecord> Requests(string method, string pathPattern, SimCluster? cluster = null) =>
        (cluster ?? Primary).Requests.Snapshot().Where(r => r.Method == method && System.Text.RegularExpressions.Regex.IsMatch(r.Path, pathPattern)).OrderBy(r => r.Start).ToList();

    private static List<double> Gaps(List<RequestRecord> requests) =>
        requests.Zip(requests.Skip(1), (a, b) => (b.Start - a.Start).TotalSeconds).ToList();

    private static V1ConfigMap NewConfigMap(string name) => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "app1" }, Data = new Dictionary<string, string> { ["k"] = "v" } };

    private static Task<V1ConfigMapList> ListConfigMaps(ClusterConnection c) =>
        c.CallAsync("listing config maps", (k, ct) => k.CoreV1.ListNamespacedConfigMapAsync("app1", cancellationToken: ct), default);

    [Fact]
    public async Task AThrottledReadIsSentAgainAfterItsRetryAfterSeconds()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Status = 429, RetryAfter = "1", Times = 2 });
        var log = new CapturedLog();
        using (OperationLog.Use(log))
        {
            Assert.NotEmpty((await ListConfigMaps(Connect())).Items);
        }

        var sent = Requests("GET", ConfigMaps);
        Assert.Equal([429, 429, 200], sent.Select(r => r.Status));
        Assert.All(Gaps(sent), gap => Assert.True(gap >= 0.95, $"sent again after {gap:0.00} s, before Retry-After"));
        Assert.Contains(log.Verbose, m => m.Contains("GET /api/v1/namespaces/app1/configmaps: 429 TooManyRequests, Retry-After 1s; retrying in 1 s (attempt 2 of 8)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARetryAfterDateIsHonoured()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Status = 503, RetryAfter = DateTimeOffset.UtcNow.AddSeconds(3).ToString("r"), Times = 1 });
        await ListConfigMaps(Connect());
        var gap = Gaps(Requests("GET", ConfigMaps)).Single();
        Assert.True(gap >= 1, $"sent again after {gap:0.00} s, before the date");
    }

    [Fact]
    public async Task WithoutRetryAfterItBacksOffExponentially()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Status = 503, Times = 3 });
        await ListConfigMaps(Connect());
        var sent = Requests("GET", ConfigMaps);
        Assert.Equal([503, 503, 503, 200], sent.Select(r => r.Status));
        var gaps = Gaps(sent);
        Assert.True(gaps[0] >= 0.24 && gaps[1] >= 0.49 && gaps[2] >= 0.99, $"gaps {string.Join(", ", gaps)}");
    }

    [Fact]
    public async Task ItGivesUpBeforeTheRequestTimeoutWithTheServersAnswer()
    {
        // Retry-After 2 s within a 3 s budget: sent at 0 and 2 s; the next wait would end at 4 s, past the budget, so it
        // is not started. The log shows each wait the handler started and why it stopped; how many waits fit depends
        // on how long the answers took (a loaded machine answers the first one later), so the test counts them.
        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Status = 429, RetryAfter = "2" });
        var log = new CapturedLog();
        GlobalUpgradeException ex;
        using (OperationLog.Use(log))
        {
            ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ListConfigMaps(Connect(requestTimeout: TimeSpan.FromSeconds(3))));
        }

        Assert.Equal(ErrorIds.ApiRequestFailed, ex.ErrorId);
        Assert.Equal(FailureCategory.ResourceUnavailable, ex.Category);
        Assert.Contains("pushed back with 429", ex.Message, StringComparison.Ordinal);
        var waits = log.Verbose.Count(m => m.Contains("retrying in 2 s", StringComparison.Ordinal));
        Assert.InRange(waits, 0, 1);
        Assert.Equal(1 + waits, Requests("GET", ConfigMaps).Count);
        Assert.Single(log.Verbose, m => m.Contains("as waiting 2 s more would pass the request timeout of 3 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ItGivesUpAfterABoundedNumberOfAttempts()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Status = 429, RetryAfter = "0" });
        await Assert.ThrowsAsync<GlobalUpgradeException>(() => ListConfigMaps(Connect()));
        Assert.Equal(ApiRetryRule.MaxPushbackAttempts, Requests("GET", ConfigMaps).Count);
    }

    [Fact]
    public async Task TheCallersTokenEndsTheWait()
    {
        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Status = 429, RetryAfter = "30" });
        using var cancel = new CancellationTokenSource();
        var call = Connect().Client.CoreV1.ListNamespacedConfigMapAsync("app1", cancellationToken: cancel.Token);

        // Cancelled once the 429 was answered, so the token ends the 30 s wait, not the request (a loaded machine may
        // take longer than any fixed delay to send the first one).
        await Eventually.TrueAsync(() => Requests("GET", ConfigMaps).Count > 0, "the throttled answer");

        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"ended {clock.Elapsed} after the cancellation, within a 30 s Retry-After");
        Assert.Single(Requests("GET", ConfigMaps));
    }

    [Fact]
    public async Task ACreateIsSentAgainAfter429WhichRefusedItButNotAfter503()
    {
        var client = Connect().Client;
        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Method = "POST", Status = 429, RetryAfter = "0", Times = 1 });
        await client.CoreV1.CreateNamespacedConfigMapAsync(NewConfigMap("after-429"), "app1");
        Assert.Equal([429, 201], Requests("POST", ConfigMaps).Select(r => r.Status));

        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Method = "POST", Status = 503, RetryAfter = "0", Times = 1 });
        var ex = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(NewConfigMap("after-503"), "app1"));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ex.Response.StatusCode);
        Assert.Equal(3, Requests("POST", ConfigMaps).Count);
        Assert.Null(Primary.Store.Get("configmaps", "app1", "after-503"));
    }

    [Fact]
    public async Task IdempotentWritesAreSentAgainAfter503AJsonPatchIsNot()
    {
        var client = Connect().Client;
        const string foo = "^/api/v1/namespaces/app1/configmaps/foo$";
        Primary.Faults.Add(new FaultRule { PathRegex = foo, Status = 503, RetryAfter = "0", Times = 1 });
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"merged":"yes"}}""", V1Patch.PatchType.MergePatch), "foo", "app1");
        Assert.Equal([503, 200], Requests("PATCH", foo).Select(r => r.Status));

        Primary.Faults.Add(new FaultRule { PathRegex = foo, Status = 503, RetryAfter = "0", Times = 1 });
        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"add","path":"/data/appended","value":"x"}]""", V1Patch.PatchType.JsonPatch), "foo", "app1"));
        Assert.Equal(3, Requests("PATCH", foo).Count);

        Primary.Faults.Add(new FaultRule { PathRegex = foo, Status = 503, RetryAfter = "0", Times = 1 });
        await client.CoreV1.DeleteNamespacedConfigMapAsync("foo", "app1");
        Assert.Equal([503, 200], Requests("DELETE", foo).Select(r => r.Status));
    }

    [Fact]
    public async Task AReadCutOffBeforeItsAnswerIsSentAgainACreateIsNot()
    {
        var connection = Connect();
        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Method = "GET", Reset = true, Times = 2 });
        Assert.NotEmpty((await ListConfigMaps(connection)).Items);
        Assert.Equal(3, Requests("GET", ConfigMaps).Count);

        Primary.Faults.Add(new FaultRule { PathRegex = ConfigMaps, Method = "POST", Reset = true, Times = 1 });
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() =>
            connection.CallAsync("creating a config map", (k, ct) => k.CoreV1.CreateNamespacedConfigMapAsync(NewConfigMap("once"), "app1", cancellationToken: ct), default));
        Assert.Equal(ErrorIds.ServerUnreachable, ex.ErrorId);
        Assert.Single(Requests("POST", ConfigMaps));
    }

    [Fact]
    public async Task ThroughTheServiceProxyOnlyAdvisedPushbackIsRetried()
    {
        var standby = sim.Clusters["standby"];
        var client = Connect("standby").Client;
        const string proxy = "/services/etcd-sync-monitor.*/proxy";
        Task ReadCheck() => client.CoreV1.ConnectGetNamespacedServiceProxyWithPathAsync("etcd-sync-monitor", "cpaas-system", "check");

        standby.Faults.Add(new FaultRule { PathRegex = proxy, Status = 429, RetryAfter = "0", Times = 1 });
        await ReadCheck();
        Assert.Equal([429, 200], Requests("GET", proxy, standby).Select(r => r.Status));

        // Without Retry-After a 503 may be the backend's own answer, passed through: the caller judges it.
        standby.Faults.Add(new FaultRule { PathRegex = proxy, Status = 503, Times = 1 });
        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(ReadCheck);
        Assert.Equal(3, Requests("GET", proxy, standby).Count);
    }

    [Fact]
    public async Task OneRequestInFiveThrottledChangesNoAnswer()
    {
        var connection = Connect();
        var before = (await ListConfigMaps(connection)).Items.Select(i => i.Metadata.Name).ToList();
        Primary.Faults.Add(new FaultRule { Status = 429, RetryAfter = "0", Every = 5 });
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(before, (await ListConfigMaps(connection)).Items.Select(i => i.Metadata.Name).ToList());
        }

        Assert.Equal(2, Requests("GET", ConfigMaps).Count(r => r.Status == 429));
    }

    private sealed class CapturedLog : IOperationLog
    {
        private readonly ConcurrentQueue<string> verbose = new();

        public IReadOnlyCollection<string> Verbose => verbose;

        void IOperationLog.Verbose(string message) => verbose.Enqueue(message);

        public void Debug(string message) { }

        public void Warning(string message) { }

        public void Progress(OperationProgress progress) { }
    }
}
