using System.Globalization;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// Plays the functional-components upgrade (before 4.3): a ClusterModule whose <c>spec.version</c> changes goes
/// <c>status.base.deployStatus</c> Upgrading → Completed (runningStatus Healthy, <c>status.base.version</c> updated) over
/// the scenario's upgrade duration, or → DeployFailed with <c>status.unableUpgradeReason</c> in <c>deploy-failed</c>.
/// The v1alpha1 schema has no top-level <c>status.version</c>: the version is written to <c>status.base.version</c>.
/// When the platform reaches a version of a line upgraded through the Functional Components (before 4.3), the
/// upgrade is offered only after a while, as the docs describe ("10–15 minutes" after upgrade.sh --skip-sync-image,
/// release-4.0…4.2 upgrade_global_cluster.mdx): after the scenario's notice delay <c>status.needUpgrade</c> and
/// <c>status.upgradable</c> turn true (the fields that say so are not documented: the engine's profile marks them
/// [assumed]); with <c>upgrade.notOfferedReason</c> it never is, and <c>status.unableUpgradeReason</c> says why.
/// The cluster plugins go exactly where the request says (<see cref="ClusterModulePlugins"/>); a request that changes
/// neither the version nor a plugin, and names nothing it cannot do, does nothing.
/// </summary>
internal sealed class ClusterModuleController(SimCluster cluster, ControllerContext ctx)
{
    // Subscribed at construction, so nothing written after the simulator has started is missed.
    private readonly StoreSubscription subscription = cluster.Store.Subscribe(ResourceTypes.ClusterModules, null, null);

    private readonly StoreSubscription platform = cluster.Store.Subscribe(ResourceTypes.ProductBases, null, null);

    private readonly Dictionary<string, long> handledGeneration = [];

    private readonly ClusterModulePlugins plugins = new(cluster);

    // Set once the platform went 4.2.0 → 4.2.1: the dialog shows lower Targets for cluster plugins [doc release-4.2 UGC "Known Issue in ACP 4.2.1"].
    private volatile bool lowerPluginTargets;

    public async Task RunAsync()
    {
        ctx.Spawn(OfferOnPlatformUpgradeAsync);
        using var sub = subscription;
        foreach (var e in sub.Initial)
        {
            handledGeneration[e.Object.Name()] = Generation(e.Object.Str("metadata.generation"));
        }

        await foreach (var e in sub.Live.ReadAllAsync(ctx.Stopping))
        {
            var obj = e.Object;
            var name = obj.Name();
            var generation = Generation(obj.Str("metadata.generation"));
            if (e.Type == StoreEvent.Deleted || generation <= handledGeneration.GetValueOrDefault(name))
            {
                continue;
            }

            handledGeneration[name] = generation;
            var target = obj.Str("spec.version");
            var moves = plugins.Requested(name, obj);
            var unknown = plugins.NamedButNotInstalled(name, obj).Select(m => $"{m} (not installed)")
                .Concat(moves.Where(m => !plugins.IsPublished(m.Module, m.To)).Select(m => $"{m.Module} {m.To} (not published)")).ToList();
            if (!string.IsNullOrEmpty(target) && (target != obj.Str("status.base.version") || moves.Count > 0 || unknown.Count > 0))
            {
                ctx.Spawn(() => UpgradeAsync(name, target, generation, moves, unknown));
            }
        }
    }

    private async Task UpgradeAsync(string name, string target, long generation, List<ClusterModulePlugins.Move> moves, List<string> unknown)
    {
        Update(name, generation, o =>
        {
            o.Set("status.base.deployStatus", "Upgrading");
            o.Set("status.base.lastTransitionTime", ObjectMeta.Timestamp(DateTimeOffset.UtcNow));
            o.Set("status.needUpgrade", true);
            o["status"]!.AsObject().Remove("unableUpgradeReason");
        });
        await ctx.Delay(cluster.Scenario.Durations.UpgradeSeconds);

        // The docs are silent on a request naming a plugin the cluster lacks or a version not published: it fails.
        var failure = cluster.Scenario.Upgrade.DeployFailedReason
            ?? (unknown.Count > 0 ? $"cannot upgrade modules: {string.Join(", ", unknown)}" : null);
        if (failure is null && IsCurrent(name, generation))
        {
            var lower = lowerPluginTargets;
            foreach (var move in moves)
            {
                plugins.Deploy(move, lower);
            }
        }

        Update(name, generation, o =>
        {
            o.Set("status.base.lastTransitionTime", ObjectMeta.Timestamp(DateTimeOffset.UtcNow));
            if (failure is not null)
            {
                o.Set("status.base.deployStatus", "DeployFailed");
                o.Set("status.base.runningStatus", "Abnormal");
                o.Set("status.base.reason", "DeployFailed");
                o.Set("status.base.message", failure);
                o.Set("status.unableUpgradeReason", failure);
                o.Set("status.upgradable", false);
            }
            else
            {
                o.Set("status.base.deployStatus", "Completed");
                o.Set("status.base.runningStatus", "Healthy");
                o.Set("status.base.version", target);
                o.Set("status.base.deployTime", ObjectMeta.Timestamp(DateTimeOffset.UtcNow));
                // On the known-issue path the Upgrade button stays clickable [doc release-4.2 UGC "Known Issue in ACP 4.2.1"].
                o.Set("status.needUpgrade", lowerPluginTargets);
            }
        });
    }

    private bool IsCurrent(string name, long generation) =>
        cluster.Store.Get(ResourceTypes.ClusterModules, null, name) is { } o && Generation(o.Str("metadata.generation")) == generation;

    private async Task OfferOnPlatformUpgradeAsync()
    {
        using var sub = platform;
        var version = sub.Initial.Select(e => e.Object).FirstOrDefault(o => o.Name() == Platform.ProductBaseName).Str("status.version");
        await foreach (var e in sub.Live.ReadAllAsync(ctx.Stopping))
        {
            var now = e.Object.Str("status.version");
            if (e.Type == StoreEvent.Deleted || e.Object.Name() != Platform.ProductBaseName || string.IsNullOrEmpty(now) || now == version)
            {
                continue;
            }

            var before = version;
            version = now;
            if (!PlatformLine.For(now).OffersFunctionalComponentsUpgrade)
            {
                continue;
            }

            var reached = now;
            lowerPluginTargets = before is not null && VersionText.Parse(before) == new Version(4, 2, 0) && VersionText.Parse(now) == new Version(4, 2, 1);
            ctx.Spawn(async () =>
            {
                await ctx.Delay(cluster.Scenario.Durations.ComponentNoticeSeconds);
                var reason = cluster.Scenario.Upgrade.NotOfferedReason;
                if (reason is null)
                {
                    foreach (var module in cluster.Store.List(ResourceTypes.ClusterModules, null).Items)
                    {
                        plugins.Offer(module.Name(), lowerPluginTargets);
                    }
                }

                foreach (var module in cluster.Store.List(ResourceTypes.ClusterModules, null).Items.Where(m => m.Str("status.base.version") != reached))
                {
                    cluster.Store.Mutate(ResourceTypes.ClusterModules, null, module.Name(), o =>
                    {
                        if (reason is null)
                        {
                            o.Set("status.needUpgrade", true);
                            o.Set("status.upgradable", true);
                            o["status"]!.AsObject().Remove("unableUpgradeReason");
                        }
                        else
                        {
                            o.Set("status.upgradable", false);
                            o.Set("status.unableUpgradeReason", reason);
                        }

                        return o;
                    });
                }
            });
        }
    }

    // Writes only while the spec is the one being upgraded; a newer spec change starts its own upgrade.
    private void Update(string name, long generation, Action<System.Text.Json.Nodes.JsonObject> change) =>
        cluster.Store.Mutate(ResourceTypes.ClusterModules, null, name, o =>
        {
            if (Generation(o.Str("metadata.generation")) == generation)
            {
                change(o);
            }

            return o;
        });

    private static long Generation(string? text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
}
