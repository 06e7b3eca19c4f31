namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>Runs the controllers that play the platform, one set per cluster, until the simulator stops.</summary>
internal sealed class ControllerHost(IReadOnlyDictionary<string, SimCluster> clusters, double timeScale, CancellationToken stopping)
{
    private readonly ControllerContext ctx = new(timeScale, stopping);

    public void Start()
    {
        foreach (var cluster in clusters.Values)
        {
            // The synchronizer on the standby mirrors the primary (the "active" cluster); elsewhere it compares with itself.
            var active = cluster.Name == "standby" && clusters.TryGetValue("primary", out var primary) ? primary : null;
            var etcdSync = new EtcdSyncRuntime(cluster, ctx, active);
            var moduleInfos = new ModuleInfoController(cluster, ctx, etcdSync);
            ctx.Spawn(moduleInfos.RunAsync);
            ctx.Spawn(new ClusterModuleController(cluster, ctx).RunAsync);
            ctx.Spawn(new ClusterVersionShadowController(cluster, ctx).RunAsync);
            ctx.Spawn(new AdminAckController(cluster, ctx).RunAsync);

            // Before 4.0 the synchronizer runs on the primary and no /check monitor is documented [doc release-4.0
            // upgrade/upgrade_global_cluster.mdx: "follow your regular global DR inspection procedures"]: a 3.x pair
            // serves none, so nothing may rely on one.
        }
    }

    public async Task StopAsync()
    {
        try
        {
            await ctx.WhenAll().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
        }
    }
}
