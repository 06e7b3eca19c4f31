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
            var active = cluster.Name == "standby" && clusters.TryGetValue("primary", out var primary) ? primary.Store : null;
            var etcdSync = new EtcdSyncRuntime(cluster, ctx, active);
            var moduleInfos = new ModuleInfoController(cluster, ctx, etcdSync);
            ctx.Spawn(moduleInfos.RunAsync);
            ctx.Spawn(new ClusterModuleController(cluster, ctx).RunAsync);
            ctx.Spawn(new ClusterVersionShadowController(cluster, ctx).RunAsync);
            if (active is not null && clusters["primary"].Scenario.EtcdSync.Variant is EtcdSyncVariants.Plugin318 or EtcdSyncVariants.Helm316)
            {
                ServeLegacyMonitor(cluster, active);
            }
        }
    }

    // [assumed] Before 4.0 the synchronizer runs on the primary; its /check is read on the standby as for 4.x, so the
    // DR consistency checks work the same for every version.
    private static void ServeLegacyMonitor(SimCluster standby, Store.ObjectStore primary)
    {
        standby.Store.Upsert(Store.ResourceTypes.Services, EtcdSyncObjects.MonitorService(standby.Scenario.EtcdSync.MonitorPort));
        standby.Services.Set(EtcdSyncNames.Namespace, EtcdSyncNames.MonitorService, (http, path) => MonitorBackend.HandleAsync(http, path, standby, primary));
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
