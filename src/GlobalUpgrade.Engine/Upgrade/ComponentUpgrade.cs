using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Models;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// The functional components' upgrade: asks the ClusterModule (before 4.3) or the ClusterVersionShadow (4.3 and
/// later) for the target — never twice, a request already there is only waited for — and waits, watch-driven,
/// until they are settled at the target or the platform reports why not.
/// </summary>
public static class ComponentUpgrade
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(2);

    /// <summary>How long a 4.3 ClusterVersionShadow may take to appear after the trigger.</summary>
    public static readonly TimeSpan ObjectAppearTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Asks for run.ToVersion (unless already asked) and waits; sets run.Message to the final state.</summary>
    public static async Task UpgradeAsync(GlobalUpgradeRun run, ClusterConnection cluster, ComponentUpgradeProfile profile, TimeSpan timeout, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var log = OperationLog.Current;
        var started = DateTimeOffset.Now;
        TimeSpan Left() => timeout - (DateTimeOffset.Now - started) is var left && left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
        var resource = await ClusterVersionShadowDiscovery.ForAsync(cluster, profile, cancellationToken).ConfigureAwait(false);
        var (ns, name) = NameOf(profile);
        var obj = await ReadObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false);
        if (obj is null)
        {
            if (profile.Kind == ComponentUpgradeKind.ClusterModule)
            {
                throw new GlobalUpgradeException(ErrorIds.ComponentObjectNotFound, FailureCategory.ObjectNotFound,
                    $"Cluster '{cluster.Name}' has no {profile.ComponentObject}, so its functional components cannot be upgraded this way. " +
                    "Use the web console (Clusters > global > Functional Components > Upgrade), or name the object with -ComponentProfile @{ ClusterModuleName = '<name>' }.", cluster.Name);
            }

            // The 4.3 trigger installs the Cluster Version Operator: its ClusterVersionShadow may come a little later.
            var appeared = await ResourceWatcher.WaitAsync(cluster, resource, new ListArgs(ns, null, $"metadata.name={name}"), new WaitCondition
            {
                Description = $"{profile.ComponentObject} to exist",
                IsDone = objects => objects.Count > 0,
            }, timeout < ObjectAppearTimeout ? timeout : ObjectAppearTimeout, cancellationToken).ConfigureAwait(false);
            obj = appeared.Objects[0];
        }

        var state = ComponentState.Read(obj, profile);
        if (state.AsksFor(run.ToVersion))
        {
            log.Verbose($"[{cluster.Name}] {profile.ComponentObject} already asks for {run.ToVersion}: not writing it again, waiting only.");
        }
        else
        {
            var offered = profile.Kind == ComponentUpgradeKind.ClusterModule
                ? state.UpgradeAvailable || await WaitUntilOfferedAsync(run, cluster, profile, resource, Left(), cancellationToken).ConfigureAwait(false)
                : await WaitUntilVersionOfferedAsync(run, cluster, profile, resource, state, Left(), store, cancellationToken).ConfigureAwait(false);
            if (!offered)
            {
                log.Verbose($"[{cluster.Name}] {profile.ComponentObject} was asked for {run.ToVersion} meanwhile (the web console?): not writing it again, waiting only.");
            }
            else
            {
                await RequestAsync(run, cluster, profile, resource, store, cancellationToken).ConfigureAwait(false);
            }
        }

        var target = run.ToVersion;
        var done = await ResourceWatcher.WaitAsync(cluster, resource, new ListArgs(ns, null, $"metadata.name={name}"), new WaitCondition
        {
            Description = profile.Kind == ComponentUpgradeKind.ClusterModule
                ? $"{profile.ComponentObject} to be Completed and Healthy at {target}"
                : $"{profile.ComponentObject} to be Ready at {target}",
            IsDone = objects => objects.Count > 0 && ComponentState.Read(objects[0], profile).IsAt(target),
            DescribeState = objects => objects.Count == 0 ? $"{profile.ComponentObject} is gone" : Describe(ComponentState.Read(objects[0], profile)),
            FailsWith = objects =>
            {
                if (objects.Count == 0)
                {
                    return null;
                }

                var now = ComponentState.Read(objects[0], profile);
                return !now.HasFailedFor(target) ? null : profile.Kind == ComponentUpgradeKind.ClusterModule
                    ? new GlobalUpgradeException(ErrorIds.ComponentUpgradeFailed, FailureCategory.InvalidOperation,
                        $"The functional components of {cluster.Name} did not upgrade to {target}: {profile.ComponentObject} is {now.State}: {now.Reason}. " +
                        "Fix the cause the platform gives, then retry the upgrade from the web console (Functional Components) or contact support.", run)
                    : new GlobalUpgradeException(ErrorIds.ComponentUpgradeStalled, FailureCategory.InvalidOperation,
                        $"The upgrade of {cluster.Name} to {target} stalled: {profile.ComponentObject} {now.Reason}. " +
                        "Fix what the failed checks name; the Cluster Version Operator retries by itself.", run);
            },
        }, Left(), cancellationToken).ConfigureAwait(false);
        var final = ComponentState.Read(done.Objects[0], profile);
        run.Message = $"{profile.ComponentObject} is {final.State} at {target}" + (run.ComponentPlugins is { } plugins ? $"; cluster plugins: {plugins}" : "");
    }

    /// <summary>
    /// Before 4.3 the upgrade is offered only some time after the trigger [doc: "10–15 minutes", release-4.0…4.2
    /// docs/en/upgrade/upgrade_global_cluster.mdx]: waits, watch-driven, until the ClusterModule reports it
    /// (<see cref="ComponentUpgradeProfile.ClusterModuleUpgradeAvailableFields"/>, [assumed]) or already asks for the
    /// target; returns false in the latter case. Bounded by the profile's deadline and the caller's; on timeout
    /// ComponentUpgradeNotAvailable says what was waited for. Nothing is written.
    /// </summary>
    public static async Task<bool> WaitUntilOfferedAsync(GlobalUpgradeRun run, ClusterConnection cluster, ComponentUpgradeProfile profile, AcpResource resource, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = run.ToVersion;
        var limit = timeout < profile.ClusterModuleUpgradeAvailableTimeout ? timeout : profile.ClusterModuleUpgradeAvailableTimeout;
        var what = $"the Functional Components upgrade to {target} to be offered ({profile.ComponentObject}: {string.Join(" and ", profile.UpgradeAvailableFields.Select(f => f + "=true"))})";
        var (ns, name) = NameOf(profile);
        try
        {
            var seen = await ResourceWatcher.WaitAsync(cluster, resource, new ListArgs(ns, null, $"metadata.name={name}"), new WaitCondition
            {
                Description = what,
                IsDone = objects => objects.Count > 0 && ComponentState.Read(objects[0], profile) is var s && (s.UpgradeAvailable || s.AsksFor(target)),
                DescribeState = objects => objects.Count == 0 ? $"{profile.ComponentObject} is gone" : DescribeOffer(ComponentState.Read(objects[0], profile)),
            }, limit, cancellationToken).ConfigureAwait(false);
            return !ComponentState.Read(seen.Objects[0], profile).AsksFor(target);
        }
        catch (GlobalUpgradeException ex) when (ex.ErrorId == ErrorIds.WaitTimedOut && limit == profile.ClusterModuleUpgradeAvailableTimeout)
        {
            // The platform's deadline passed (a shorter limit of the caller's stays a timeout of the caller's: UpgradeTimeout).
            var now = ComponentState.Read(await ReadObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false), profile);
            throw new GlobalUpgradeException(ErrorIds.ComponentUpgradeNotAvailable, FailureCategory.OperationTimeout,
                $"Waited {limit.TotalSeconds:0} s for {what} on {cluster.Name}; it was not offered: {DescribeOffer(now)}. Nothing was written. " +
                "The docs expect it 10–15 minutes after upgrade.sh --skip-sync-image. Check Clusters > global > Functional Components in the web console; " +
                $"when the platform names the field differently, say so with -ComponentProfile @{{ ClusterModuleUpgradeAvailableFields = '<field>' }}, or wait longer with ClusterModuleUpgradeAvailableTimeout. Then run the upgrade again (Wait-GlobalUpgrade -Id {run.Id}, or -Resume the runbook).", run, ex);
        }
    }

    /// <summary>
    /// 4.3+: waits, watch-driven, until the ClusterVersionShadow offers the target in <c>status.availableUpdates</c>
    /// (published from the target's ProductManifest; "the controller may still be processing the metadata. Wait a
    /// moment" [doc: release-4.3 docs/en/ui/cli_tools/ac/upgrading-clusters.md]) or already asks for it; returns false
    /// in the latter case. A target given as a line ("4.3") becomes the one offered version of it (run.ToVersion).
    /// Bounded by <see cref="ComponentUpgradeProfile.ClusterVersionShadowOfferTimeout"/> and the caller's limit; then
    /// TargetVersionNotOffered lists what is offered. Nothing is written.
    /// </summary>
    private static async Task<bool> WaitUntilVersionOfferedAsync(GlobalUpgradeRun run, ClusterConnection cluster, ComponentUpgradeProfile profile, AcpResource resource,
        ComponentState state, TimeSpan timeout, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var target = run.ToVersion;
        var limit = timeout < profile.ClusterVersionShadowOfferTimeout ? timeout : profile.ClusterVersionShadowOfferTimeout;
        static IReadOnlyList<string> Offers(ComponentState s) => s.ClusterVersionShadow?.AvailableUpdates ?? [];
        if (!OfferedTarget.IsOffered(target, Offers(state)))
        {
            var (ns, name) = NameOf(profile);
            try
            {
                var seen = await ResourceWatcher.WaitAsync(cluster, KubeKind.Custom(resource), new ListArgs(ns, null, $"metadata.name={name}"), new WaitCondition
                {
                    Description = $"{profile.ComponentObject} to offer {OfferedTarget.Spell(target)} in status.availableUpdates",
                    IsDone = objects => objects.Count > 0 && ComponentState.Read(objects[0], profile) is var s && (OfferedTarget.IsOffered(target, Offers(s)) || s.AsksFor(target)),
                    DescribeState = objects => objects.Count == 0 ? $"{profile.ComponentObject} is gone" : $"offers {OfferedTarget.List(Offers(ComponentState.Read(objects[0], profile)))}",
                }, limit, cancellationToken).ConfigureAwait(false);
                state = ComponentState.Read(seen.Objects[0], profile);
            }
            catch (GlobalUpgradeException ex) when (ex.ErrorId == ErrorIds.WaitTimedOut && limit == profile.ClusterVersionShadowOfferTimeout)
            {
                state = ComponentState.Read(await ReadObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false), profile);
            }

            if (state.AsksFor(target))
            {
                return false;
            }
        }

        var resolved = OfferedTarget.Resolve(target, Offers(state), cluster.Name,
            $"Nothing was written to {profile.ComponentObject}. When it is offered, go on with Wait-GlobalUpgrade -Id {run.Id} (or -Resume the runbook); wait longer with -ComponentProfile @{{ ClusterVersionShadowOfferTimeout = '30m' }}.");
        if (OfferedTarget.IsLine(target))
        {
            OperationLog.Current.Verbose($"[{cluster.Name}] {target} is offered as {resolved}: requesting {resolved}.");
            run.ToVersion = resolved;
            store.Save(run);
        }

        return true;
    }

    private static async Task RequestAsync(GlobalUpgradeRun run, ClusterConnection cluster, ComponentUpgradeProfile profile, AcpResource resource, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var (ns, name) = NameOf(profile);
        IReadOnlyList<PluginTarget>? plugins = null;
        if (profile.Kind == ComponentUpgradeKind.ClusterModule)
        {
            // The dialog's targets, read when the upgrade is offered (the platform publishes them then).
            plugins = await PluginTargets.ReadAsync(cluster, profile.ClusterModuleName, cancellationToken).ConfigureAwait(false);
            run.ComponentPlugins = PluginTargets.Describe(plugins);
            if (PlatformVersion.TryParse(run.FromVersion, out var from) && PlatformVersion.TryParse(run.ToVersion, out var to) && ComponentUpgradeProfile.ShowsLowerPluginTargets(from, to))
            {
                OperationLog.Current.Verbose($"[{cluster.Name}] {from} → {to}: the known issue of ACP 4.2.1 shows lower targets for cluster plugins; those are held (Do not upgrade) and Upgrade is asked once only.");
            }
        }

        var patch = BuildPatch(profile, run.ToVersion, plugins);
        OperationLog.Current.Verbose($"[{cluster.Name}] merge-patching {profile.ComponentObject}: {patch.ToJsonString()}");
        await cluster.CallAsync($"patching {profile.ComponentObject}", (client, ct) => ns is null
            ? client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), resource.Group, resource.Version, resource.Plural, name, cancellationToken: ct)
            : client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        run.ComponentRequestedAt = DateTimeOffset.Now;
        store.Save(run);
    }

    /// <summary>
    /// The merge patch that asks for the target, built from the profile's field path (before 4.3 the request adds the
    /// cluster plugins' targets, <see cref="PluginTargets"/>). No Kubernetes target is written: no ACP doc gives the
    /// field that asks for the Kubernetes upgrade (release-4.3
    /// upgrade_global_cluster.mdx documents only spec.desiredUpdate.version), so the module never writes one; the
    /// Kubernetes upgrade is done from the web console as the docs describe.
    /// </summary>
    public static JsonObject BuildPatch(ComponentUpgradeProfile profile, string target, IReadOnlyList<PluginTarget>? plugins = null) =>
        profile.Kind == ComponentUpgradeKind.ClusterModule
            ? plugins is null
                ? MergePatch.At(profile.ClusterModuleVersionField, target)
                : MergePatch.Both(MergePatch.At(profile.ClusterModuleVersionField, target), MergePatch.At(profile.ClusterModulePluginTargetsField, PluginTargets.ToModulesInfos(plugins)))
            // 4.3+: written as the docs write it, "4.3.0" without "v" (release-4.3 upgrade_global_cluster.mdx "Request the upgrade").
            : MergePatch.At(profile.ClusterVersionShadowVersionField, OfferedTarget.Spell(target));

    /// <summary>The ClusterModule or ClusterVersionShadow the profile names; null when the cluster has none.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(ClusterConnection cluster, ComponentUpgradeProfile profile, CancellationToken cancellationToken)
    {
        var (ns, name) = NameOf(profile);
        return await cluster.GetAsync(await ClusterVersionShadowDiscovery.ForAsync(cluster, profile, cancellationToken).ConfigureAwait(false), ns, name, cancellationToken).ConfigureAwait(false);
    }

    private static (string? Namespace, string Name) NameOf(ComponentUpgradeProfile profile) =>
        profile.Kind == ComponentUpgradeKind.ClusterModule ? (null, profile.ClusterModuleName) : (profile.ClusterVersionShadowNamespace, profile.ClusterVersionShadowName);

    private static string DescribeOffer(ComponentState s) =>
        !s.Exists ? $"{s.ObjectName} not found" : $"{s.Availability}" + (s.Reason is { Length: > 0 } r ? $", unableUpgradeReason: {r}" : "") + $"; {s.State}, runs {s.Current ?? "-"}";

    private static string Describe(ComponentState s) =>
        $"{s.State}, asks for {s.Desired ?? "-"}, runs {s.Current ?? "-"}" + (s.Reason is { Length: > 0 } r ? $" ({r})" : "");
}
