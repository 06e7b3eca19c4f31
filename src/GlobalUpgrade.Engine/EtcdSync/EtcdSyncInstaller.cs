using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Models;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Installs the 4.x etcd synchronizer plugin on the standby as the docs of its version describe: (4.3.1+) the primary's
/// token copied into the standby's token secret, a ModuleInfo with the required labels, the ModuleConfig's version and
/// the version's form, then event-driven waits ((4.3.1+) bootstrap job, ModuleInfo Running, pod 1/1, the leader logging
/// "Start Sync update"), and one restart of the leader so objects with ownerReferences are synced again. Once verified
/// (master docs): the legacy plain-token keys are removed, and the credentials the bootstrap job used are recorded;
/// -RefreshCredentials reinstalls first when they changed.
/// </summary>
public static class EtcdSyncInstaller
{
    /// <summary>See <see cref="EtcdSyncInstallPlanner"/>.</summary>
    public static Task<EtcdSyncInstallPlan> PlanAsync(EtcdSyncInstallRequest request, CancellationToken cancellationToken) =>
        EtcdSyncInstallPlanner.PlanAsync(request, cancellationToken);

    public static async Task<EtcdSyncInstallation> ExecuteAsync(EtcdSyncInstallPlan plan, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = plan.Request;
        var standby = request.Standby;
        var details = request.Details;
        var detection = plan.Line.Leader;
        var budget = new WaitBudget(timeout, details);
        var log = OperationLog.Current;
        var selector = EtcdSyncPlugin.ModuleInfoSelector(plan.ModuleName, details);

        if (!plan.InstallChanges)
        {
            log.Verbose($"[{standby.Name}] plugin {plan.ModuleName} {plan.Version} is installed as asked{(plan.Line.HasTokenSecret ? " and the token secret is current" : "")}: nothing to install; checking that it syncs");
            var (currentLeader, since) = await EtcdSyncWaits.LeaderSyncingAsync(standby, details, detection, null, budget, cancellationToken).ConfigureAwait(false);
            var info = await EtcdSyncWaits.ModuleInfoRunningAsync(standby, selector, plan.Version, budget, cancellationToken).ConfigureAwait(false);
            var removed = await RemoveLegacyTokenKeysAsync(plan, ModuleInfo.From(info).Name, cancellationToken).ConfigureAwait(false);
            return Result(plan, info, currentLeader, since, changed: removed.Count > 0) with { RemovedLegacyTokenKeys = removed };
        }

        if (plan.Reinstall)
        {
            // [doc master UGC] "run the plugin upgrade or reinstall workflow again": removed, then installed as new below.
            var removal = await EtcdSyncUninstaller.PlanAsync(standby, request.Profile, plan.ModuleName, cancellationToken).ConfigureAwait(false);
            await EtcdSyncUninstaller.ExecuteAsync(removal, budget.Remaining, null, cancellationToken).ConfigureAwait(false);
        }

        if (plan.TokenSecretChange != PlannedChange.None)
        {
            await ActiveClusterTokenSecret.WriteAsync(request.Primary, standby, details, cancellationToken).ConfigureAwait(false);
        }

        await WriteModuleInfoAsync(plan, selector, cancellationToken).ConfigureAwait(false);
        if (plan.Line.HasBootstrapJob)
        {
            await EtcdSyncWaits.JobCompleteAsync(standby, details.Namespace, details.BootstrapJob, budget, cancellationToken).ConfigureAwait(false);
        }

        await EtcdSyncWaits.ModuleInfoRunningAsync(standby, selector, plan.Version, budget, cancellationToken).ConfigureAwait(false);
        await EtcdSyncWaits.PodReadyAsync(standby, details.Namespace, details.PodLabelSelector, null, budget, cancellationToken).ConfigureAwait(false);
        var (syncing, _) = await EtcdSyncWaits.LeaderSyncingAsync(standby, details, detection, null, budget, cancellationToken).ConfigureAwait(false);

        // [doc] Once syncing, delete the leader pod once so objects with ownerReferences are synced again.
        var (successor, startedAt) = await EtcdSyncRestarter.RestartLeaderAsync(standby, details, detection, syncing, budget, cancellationToken).ConfigureAwait(false);
        var final = await EtcdSyncWaits.ModuleInfoRunningAsync(standby, selector, plan.Version, budget, cancellationToken).ConfigureAwait(false);
        var removedKeys = await RemoveLegacyTokenKeysAsync(plan, ModuleInfo.From(final).Name, cancellationToken).ConfigureAwait(false);
        if (plan.RunsBootstrap)
        {
            // The bootstrap job ran with the primary's current token and etcd CA: what Get-EtcdSyncStatus compares later.
            await EtcdSyncCredentials.RecordAsync(request.Primary, standby, details, cancellationToken).ConfigureAwait(false);
        }

        return Result(plan, final, successor, startedAt, changed: true) with { RemovedLegacyTokenKeys = removedKeys, CredentialsRefreshed = plan.Reinstall };
    }

    /// <summary>[doc master UGC] "After verification succeeds, remove any remaining legacy plain-token configuration from the plugin settings."</summary>
    private static async Task<IReadOnlyList<string>> RemoveLegacyTokenKeysAsync(EtcdSyncInstallPlan plan, string moduleInfo, CancellationToken cancellationToken)
    {
        if (plan.LegacyTokenKeys.Count == 0)
        {
            return [];
        }

        await LegacyTokenConfig.RemoveAsync(plan.Request.Standby, moduleInfo, plan.LegacyTokenKeys, cancellationToken).ConfigureAwait(false);
        return plan.LegacyTokenKeys;
    }

    private static async Task WriteModuleInfoAsync(EtcdSyncInstallPlan plan, string selector, CancellationToken cancellationToken)
    {
        var standby = plan.Request.Standby;
        var details = plan.Request.Details;
        var log = OperationLog.Current;
        if (plan.ModuleInfoChange == PlannedChange.Create)
        {
            var body = ModuleInfo.New($"{details.PluginClusterName}-{plan.ModuleName}-", plan.ModuleName, details.PluginClusterName, plan.Version, plan.Config);
            log.Verbose($"[{standby.Name}] creating a ModuleInfo for plugin {plan.ModuleName} {plan.Version} ({selector})");
            await standby.CallAsync("creating the etcd synchronizer ModuleInfo", (c, ct) =>
                c.CustomObjects.CreateClusterCustomObjectAsync(body, AcpResources.ModuleInfos.Group, AcpResources.ModuleInfos.Version, AcpResources.ModuleInfos.Plural, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }
        else if (plan.ModuleInfoChange == PlannedChange.Update)
        {
            var patch = ModuleInfo.SpecPatch(plan.Version, plan.Config);
            log.Verbose($"[{standby.Name}] updating ModuleInfo {plan.ExistingModuleInfo}: version {plan.Version} and config");
            await standby.CallAsync($"updating ModuleInfo {plan.ExistingModuleInfo}", (c, ct) =>
                c.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), AcpResources.ModuleInfos.Group, AcpResources.ModuleInfos.Version, AcpResources.ModuleInfos.Plural, plan.ExistingModuleInfo, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }
    }

    private static EtcdSyncInstallation Result(EtcdSyncInstallPlan plan, JsonObject obj, string leader, DateTimeOffset? since, bool changed) => Result(plan, ModuleInfo.From(obj), leader, since, changed);

    private static EtcdSyncInstallation Result(EtcdSyncInstallPlan plan, ModuleInfo info, string leader, DateTimeOffset? since, bool changed) => new()
    {
        Cluster = plan.Request.Standby.Name,
        ModuleInfo = info.Name,
        ModuleName = plan.ModuleName,
        Version = info.StatusVersion ?? plan.Version,
        Phase = info.Phase,
        LeaderPod = leader,
        SyncStartedAt = since,
        Changed = changed,
    };
}
