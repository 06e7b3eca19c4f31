using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// Plays the platform's plugin manager: a ModuleInfo created by a client is renamed to <c>&lt;cluster&gt;-&lt;hash&gt;</c>,
/// gets a finalizer and goes Processing → Running; a deleted one is torn down, then its finalizer removed.
/// The etcd synchronizer's runtime is delegated to <see cref="EtcdSyncRuntime"/>.
/// </summary>
internal sealed class ModuleInfoController(SimCluster cluster, ControllerContext ctx, EtcdSyncRuntime etcdSync)
{
    // Subscribed at construction, so nothing written after the simulator has started is missed.
    private readonly StoreSubscription subscription = cluster.Store.Subscribe(null, null, null);

    private readonly HashSet<string> tearingDown = [];

    public async Task RunAsync()
    {
        using var sub = subscription;
        foreach (var e in sub.Initial)
        {
            SafeHandle(e, initial: true);
        }

        await foreach (var e in sub.Live.ReadAllAsync(ctx.Stopping))
        {
            SafeHandle(e, initial: false);
        }
    }

    // An object deleted or changed between the event and our write must not stop the controller.
    private void SafeHandle(StoreEvent e, bool initial)
    {
        try
        {
            Handle(e, initial);
        }
        catch (ApiException ex) when (ex.Code is 404 or 409)
        {
        }
    }

    private void Handle(StoreEvent e, bool initial)
    {
        if (e.Resource == ResourceTypes.Pods && e.Type == StoreEvent.Deleted)
        {
            etcdSync.OnPodDeleted(e.Object);
            return;
        }

        if (e.Resource != ResourceTypes.ModuleInfos || e.Type == StoreEvent.Deleted)
        {
            return;
        }

        var obj = e.Object;
        var labels = obj.Labels();
        if (!labels.TryGetValue(Plugins.ModuleNameLabel, out var module))
        {
            return;
        }

        var name = obj.Name();
        if (obj.IsDeleting())
        {
            if (obj.Finalizers().Contains(EtcdSyncNames.ModuleInfoFinalizer) && tearingDown.Add(obj.Str("metadata.uid") ?? name))
            {
                ctx.Spawn(() => TeardownAsync(module, name));
            }

            return;
        }

        // A ModuleInfo a client creates is renamed; one there from the start (a snapshot's, named by the real
        // platform's own hash) keeps its name: it is found by label, as the module does.
        var expected = Plugins.PlatformName(labels.GetValueOrDefault(Plugins.ClusterNameLabel, "global"), module);
        if (name != expected && e.Type == StoreEvent.Added && !initial)
        {
            ctx.Spawn(() => RenameAsync(obj, expected));
            return;
        }

        if (obj.Finalizers().Contains(EtcdSyncNames.ModuleInfoFinalizer))
        {
            return;
        }

        // A seeded ModuleInfo that is already Running comes up at once; a new one goes through Processing.
        var instant = initial && obj.Str("status.phase") == "Running";
        var version = obj.Str("spec.version") ?? "";
        cluster.Store.Mutate(ResourceTypes.ModuleInfos, null, name, o =>
        {
            var finalizers = o.Metadata()["finalizers"] as JsonArray ?? [];
            finalizers.Add(EtcdSyncNames.ModuleInfoFinalizer);
            o.Metadata()["finalizers"] = finalizers.DeepClone();
            if (!instant)
            {
                o["status"] = new JsonObject { ["phase"] = "Processing", ["version"] = version };
            }

            return o;
        });
        ctx.Spawn(() => InstallAsync(module, name, version, instant));
    }

    private async Task InstallAsync(string module, string name, string version, bool instant)
    {
        if (module == EtcdSyncNames.ModuleName)
        {
            await etcdSync.InstallAsync(version, instant);
        }
        else if (!instant)
        {
            await ctx.Delay(cluster.Scenario.Durations.PodStartSeconds);
        }

        cluster.Store.Mutate(ResourceTypes.ModuleInfos, null, name, o =>
        {
            if (!o.IsDeleting())
            {
                o.Set("status.phase", "Running");
                o.Set("status.version", version);
            }

            return o;
        });
    }

    private async Task TeardownAsync(string module, string name)
    {
        if (module == EtcdSyncNames.ModuleName)
        {
            await etcdSync.UninstallAsync();
        }
        else
        {
            await ctx.Delay(cluster.Scenario.Durations.PodStartSeconds / 2);
        }

        cluster.Store.Mutate(ResourceTypes.ModuleInfos, null, name, o =>
        {
            var kept = o.Finalizers().Where(f => f != EtcdSyncNames.ModuleInfoFinalizer).Select(f => (JsonNode?)f).ToArray();
            o.Metadata()["finalizers"] = new JsonArray(kept);
            return o;
        });
    }

    private Task RenameAsync(JsonObject original, string platformName)
    {
        if (cluster.Store.Get(ResourceTypes.ModuleInfos, null, platformName) is null)
        {
            var renamed = new JsonObject
            {
                ["apiVersion"] = original["apiVersion"]?.DeepClone(),
                ["kind"] = "ModuleInfo",
                ["metadata"] = new JsonObject
                {
                    ["name"] = platformName,
                    ["labels"] = original["metadata"]?["labels"]?.DeepClone(),
                    ["annotations"] = original["metadata"]?["annotations"]?.DeepClone(),
                },
                ["spec"] = original["spec"]?.DeepClone(),
            };
            cluster.Store.Create(ResourceTypes.ModuleInfos, renamed, WriteMode.Raw);
        }

        cluster.Store.Delete(ResourceTypes.ModuleInfos, null, original.Name());
        return Task.CompletedTask;
    }
}
