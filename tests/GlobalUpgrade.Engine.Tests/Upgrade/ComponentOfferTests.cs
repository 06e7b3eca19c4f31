using System.Diagnostics;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Simulator;
using GlobalUpgrade.Simulator.Admin;
using SimPlatform = GlobalUpgrade.Simulator.Controllers.Platform;
using GlobalUpgrade.Simulator.Store;
using GlobalUpgrade.Upgrade;
using k8s;
using Xunit;

namespace GlobalUpgrade.Tests.Upgrade;

/// <summary>
/// Before 4.3 the functional components are asked for only once the ClusterModule offers the upgrade (the docs' 10–15
/// minutes after the trigger): against the in-process simulator, the request waits for the offer, and a never-offered
/// upgrade ends at its deadline with ComponentUpgradeNotAvailable, having written nothing — watch-driven, no polling.
/// </summary>
public sealed class ComponentOfferTests
{
    private const string ModulePath = "/apis/cluster.alauda.io/v1alpha1/clustermodules";

    /// <summary>
    /// A deadline's timer counts whole milliseconds of the tick count, so it may fire up to one tick before the
    /// test's Stopwatch has seen the whole limit (a run measured 1.9993 s for a 2 s deadline).
    /// </summary>
    private static readonly TimeSpan TimerTick = TimeSpan.FromMilliseconds(16);

    [Fact]
    public async Task WaitsForTheOfferThenPatches()
    {
        await using var h = await Harness.StartAsync("healthy");
        var upgrade = h.UpgradeAsync(ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2")), TimeSpan.FromSeconds(60));

        // The wait has listed the ClusterModule (its watch goes on from that list) and has written nothing: the
        // platform has not been upgraded yet. The request log records a request when it ends, so a watch shows later.
        await Eventually.TrueAsync(() => h.Requests(ModulePath).Any(r => r.Path.Contains("fieldSelector", StringComparison.Ordinal) && !r.Path.Contains("watch=", StringComparison.Ordinal)), "the ClusterModule list");
        Assert.False(upgrade.IsCompleted);
        Assert.DoesNotContain(h.Requests(ModulePath), r => r.Method == "PATCH");
        Assert.Equal("false", h.Module.Str("status.upgradable"));

        // What upgrade.sh --skip-sync-image ends with; the simulator then offers the upgrade after its notice delay.
        SimPlatform.SetVersion(h.Sim.Clusters["global"].Store, "v4.2.0");
        await upgrade;

        Assert.Single(h.Requests(ModulePath), r => r.Method == "PATCH");
        Assert.Equal("v4.2.0", h.Module.Str("spec.version"));
        Assert.Equal("Completed", h.Module.Str("status.base.deployStatus"));
        Assert.NotNull(h.Run.ComponentRequestedAt);
    }

    [Fact]
    public async Task NeverOfferedEndsAtTheDeadlineWithTheIdAndWritesNothing()
    {
        await using var h = await Harness.StartAsync("components-not-offered");
        SimPlatform.SetVersion(h.Sim.Clusters["global"].Store, "v4.2.0");
        var profile = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2"), new Dictionary<string, string?> { ["ClusterModuleUpgradeAvailableTimeout"] = "3s" });

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => h.UpgradeAsync(profile, TimeSpan.FromMinutes(10)));
        clock.Stop();

        Assert.Equal(ErrorIds.ComponentUpgradeNotAvailable, ex.ErrorId);
        Assert.Equal(FailureCategory.OperationTimeout, ex.Category);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3) - TimerTick, TimeSpan.FromSeconds(20));
        Assert.Contains("status.upgradable=false", ex.Message, StringComparison.Ordinal);
        Assert.Contains("status.needUpgrade", ex.Message, StringComparison.Ordinal);
        Assert.Contains("chart packages of the target version", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was written", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Requests(ModulePath), r => r.Method == "PATCH");
        Assert.Null(h.Run.ComponentRequestedAt);

        // Watch-driven: a read, a list and a watch, then the read for the message — not a read every second (over the
        // 3 s, a poller would read at least 5 times). A busy machine may see the watch dropped and listed again once (one more list, one more watch).
        var reads = h.Requests(ModulePath).Where(r => r.Method == "GET").ToList();
        var watches = reads.Count(r => r.Path.Contains("watch=true", StringComparison.Ordinal));
        Assert.True(watches is >= 1 and <= 2 && reads.Count - watches <= 4, "reads: " + string.Join(" | ", reads.Select(r => r.Path)));
    }

    [Fact]
    public async Task TheCallersDeadlineBoundsTheWaitToo()
    {
        await using var h = await Harness.StartAsync("components-not-offered");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => h.UpgradeAsync(ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2")), TimeSpan.FromSeconds(2)));

        // The caller's limit (-TimeoutSec) is the caller's timeout (UpgradeService reports UpgradeTimeout), saying what it waited for.
        Assert.Equal(ErrorIds.WaitTimedOut, ex.ErrorId);
        Assert.Contains("Functional Components upgrade to v4.2.0 to be offered", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Requests(ModulePath), r => r.Method == "PATCH");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2) - TimerTick, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task ARequestAlreadyOnTheClusterIsOnlyWaitedFor()
    {
        await using var h = await Harness.StartAsync("healthy");
        var store = h.Sim.Clusters["global"].Store;

        // As a click in the web console leaves it: asked for, not offered any more.
        store.Mutate("clustermodules", null, "global", o => o.Set("spec.version", "v4.2.0"));
        await h.UpgradeAsync(ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2")), TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(h.Requests(ModulePath), r => r.Method == "PATCH");
        Assert.Equal("v4.2.0", h.Module.Str("status.base.version"));
    }

    [Fact]
    public void TheOfferFieldsAndDeadlineAreAssumedDefaultsThatCanBeOverridden()
    {
        var defaults = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2"));
        Assert.Equal(["status.upgradable", "status.needUpgrade"], defaults.UpgradeAvailableFields);
        Assert.Equal(TimeSpan.FromMinutes(30), defaults.ClusterModuleUpgradeAvailableTimeout);

        var custom = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2"), new Dictionary<string, string?>
        {
            ["clustermoduleupgradeavailablefields"] = " status.upgradable ",
            ["ClusterModuleUpgradeAvailableTimeout"] = "45m",
        });
        Assert.Equal(["status.upgradable"], custom.UpgradeAvailableFields);
        Assert.Equal(TimeSpan.FromMinutes(45), custom.ClusterModuleUpgradeAvailableTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2"), new Dictionary<string, string?> { ["ClusterModuleUpgradeAvailableTimeout"] = "00:01:30" }).ClusterModuleUpgradeAvailableTimeout);
    }

    [Theory]
    [InlineData("ClusterModuleUpgradeAvailableTimeout", "soon")]
    [InlineData("ClusterModuleUpgradeAvailableTimeout", "0")]
    [InlineData("ClusterModuleUpgradeAvailableTimeout", "-5m")]
    [InlineData("ClusterModuleUpgradeAvailableFields", " ")]
    [InlineData("KubernetesModuleName", "kubernetes")]
    [InlineData("KubernetesVersion", "v1.33.1")]
    [InlineData("ClusterVersionShadowKubernetesField", "spec.desiredUpdate.upgradeKubernetes")]
    public void AnUnusableOrUnknownOverrideIsRefused(string key, string value)
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => ComponentUpgradeProfile.Validate(new Dictionary<string, string?> { [key] = value }));
        Assert.Equal(ErrorIds.InvalidProfileOverride, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidArgument, ex.Category);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(null, true, false)]
    public void TheOfferIsReadFromEveryListedField(bool? upgradable, bool needUpgrade, bool offered)
    {
        var status = new System.Text.Json.Nodes.JsonObject
        {
            ["base"] = new System.Text.Json.Nodes.JsonObject { ["deployStatus"] = "Completed", ["runningStatus"] = "Healthy", ["version"] = "v4.1.0" },
            ["needUpgrade"] = needUpgrade,
        };
        if (upgradable is { } u)
        {
            status["upgradable"] = u;
        }

        var module = new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "global" }, ["spec"] = new System.Text.Json.Nodes.JsonObject { ["version"] = "v4.1.0" }, ["status"] = status };
        var state = ComponentState.Read(module, ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2")));
        Assert.Equal(offered, state.UpgradeAvailable);
        Assert.Contains($"status.needUpgrade={(needUpgrade ? "true" : "false")}", state.Availability, StringComparison.Ordinal);
    }

    private sealed class Harness : IAsyncDisposable
    {
        private readonly string dir;

        private Harness(AcpSimulator sim, ClusterConnection connection, string dir)
        {
            Sim = sim;
            Connection = connection;
            this.dir = dir;
            Store = new UpgradeRunStore(Path.Combine(dir, "state"));
        }

        public AcpSimulator Sim { get; }

        public ClusterConnection Connection { get; }

        public UpgradeRunStore Store { get; }

        public GlobalUpgradeRun Run { get; } = new() { Id = "test-run", Cluster = "global", FromVersion = "v4.1.0", ToVersion = "v4.2.0", State = UpgradeRunState.Running };

        public System.Text.Json.Nodes.JsonObject Module => Sim.Clusters["global"].Store.Get("clustermodules", null, "global")!;

        public static async Task<Harness> StartAsync(string scenario)
        {
            var dir = Path.Combine(Path.GetTempPath(), "gu-offer-tests", Guid.NewGuid().ToString("N"));
            var sim = await AcpSimulator.StartAsync(new SimulatorOptions { Dr = false, Scenario = scenario, KubeconfigPath = Path.Combine(dir, "sim.kubeconfig"), TimeScale = 0.05 });
            var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(sim.KubeconfigPath, currentContext: "global"));
            var endpoint = new ClusterEndpoint(sim.KubeconfigPath, "global", sim.Clusters["global"].Server, "global", "test CA");
            var info = new GlobalCluster { Name = "global", Role = ClusterRole.Standalone, Context = "global", Server = endpoint.Server, PlatformVersion = "v4.1.0", KubernetesVersion = "v1.33.1", Kubeconfig = sim.KubeconfigPath };
            return new Harness(sim, new ClusterConnection(info, client, endpoint), dir);
        }

        public List<RequestRecord> Requests(string pathPrefix) =>
            Sim.Clusters["global"].Requests.Snapshot().Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

        public Task UpgradeAsync(ComponentUpgradeProfile profile, TimeSpan timeout) =>
            ComponentUpgrade.UpgradeAsync(Run, Connection, profile, timeout, Store, CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            Connection.Client.Dispose();
            await Sim.DisposeAsync();
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
