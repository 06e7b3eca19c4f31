using System.Net;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Autorest;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Restart-EtcdSync: the documented cure for missed keys — delete the pod the version's docs name (4.3+: the holder of
/// lease etcd-sync-mirror; 4.0–4.2: the first pod by name) and wait, event-driven, for the next one to log "Start Sync update".
/// </summary>
public static class EtcdSyncRestarter
{
    /// <summary>The pod to restart now, found as the platform version's docs find it; never waits.</summary>
    public static async Task<string> ReadLeaderAsync(ClusterConnection cluster, PlatformProfile profile, CancellationToken cancellationToken)
    {
        var details = profile.EtcdSyncDetails;
        switch (profile.EtcdSyncLine.Leader)
        {
            case EtcdSyncLeaderDetection.FirstPodByName:
                var pods = await cluster.CallAsync($"listing pods {details.PodLabelSelector} in {details.Namespace}", (c, ct) => ResourceWatcher.ListAllAsync(c, KubeKind.Pods, new ListArgs(details.Namespace, details.PodLabelSelector, null), ct), cancellationToken).ConfigureAwait(false);
                return EtcdSyncWaits.FirstPodByName(ObjectList.ItemsOf(pods.Items))
                    ?? throw new GlobalUpgradeException(
                        ErrorIds.EtcdSyncNotInstalled,
                        FailureCategory.ObjectNotFound,
                        $"Cluster '{cluster.Name}' has no pod {details.PodLabelSelector} in {details.Namespace}: the etcd synchronizer is not installed or not running there. Install it with Install-EtcdSync.",
                        cluster.Name);
            case EtcdSyncLeaderDetection.Lease:
                return await LeaseHolderAsync(cluster, details, cancellationToken).ConfigureAwait(false);
            default:
                throw NotDocumented(cluster);
        }
    }

    public static async Task<EtcdSyncInstallation> RestartAsync(ClusterConnection cluster, PlatformProfile profile, string leader, string? moduleName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var details = profile.EtcdSyncDetails;
        var budget = new WaitBudget(timeout, details);
        var (successor, startedAt) = await RestartLeaderAsync(cluster, details, profile.EtcdSyncLine.Leader, leader, budget, cancellationToken).ConfigureAwait(false);
        var module = await EtcdSyncPlugin.ResolveModuleNameAsync(cluster, profile, moduleName, cancellationToken).ConfigureAwait(false);
        var info = (await EtcdSyncPlugin.FindModuleInfosAsync(cluster, module, details, cancellationToken).ConfigureAwait(false)) is { Count: > 0 } infos ? ModuleInfo.From(infos[0]) : null;
        return new EtcdSyncInstallation
        {
            Cluster = cluster.Name,
            ModuleInfo = info?.Name,
            ModuleName = module,
            Version = info?.Version,
            Phase = info?.Phase,
            LeaderPod = successor,
            SyncStartedAt = startedAt,
            Changed = true,
        };
    }

    /// <summary>[doc] Deletes the pod once, then waits for the next leader (found the same way) to be Ready and log "Start Sync update".</summary>
    public static async Task<(string Leader, DateTimeOffset? SyncStartedAt)> RestartLeaderAsync(ClusterConnection cluster, EtcdSyncProfile details, EtcdSyncLeaderDetection detection, string leader, WaitBudget budget, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"[{cluster.Name}] deleting the etcd-sync {(detection == EtcdSyncLeaderDetection.Lease ? "leader pod (lease holder)" : "first pod by name")} {details.Namespace}/{leader}");
        await cluster.CallAsync($"deleting pod {details.Namespace}/{leader}", async (c, ct) =>
        {
            try
            {
                await c.CoreV1.DeleteNamespacedPodAsync(leader, details.Namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        return await EtcdSyncWaits.LeaderSyncingAsync(cluster, details, detection, leader, budget, cancellationToken).ConfigureAwait(false);
    }

    internal static GlobalUpgradeException NotDocumented(ClusterConnection cluster) => new(
        ErrorIds.EtcdSyncUnsupportedVersion,
        FailureCategory.InvalidOperation,
        $"Cluster '{cluster.Name}' runs ACP {cluster.Info.PlatformVersion}: the docs describe no restart of its etcd synchronizer (3.x). Restart-EtcdSync restarts the 4.0+ plugin on the standby.",
        cluster.Name);

    private static async Task<string> LeaseHolderAsync(ClusterConnection cluster, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var lease = await cluster.CallAsync($"reading lease {details.Namespace}/{details.LeaderLease}", async (c, ct) =>
        {
            try
            {
                return await c.CoordinationV1.ReadNamespacedLeaseAsync(details.LeaderLease, details.Namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken).ConfigureAwait(false);
        return lease?.Spec?.HolderIdentity is { Length: > 0 } holder
            ? holder
            : throw new GlobalUpgradeException(
                lease is null ? ErrorIds.EtcdSyncNotInstalled : ErrorIds.EtcdSyncNoLeader,
                lease is null ? FailureCategory.ObjectNotFound : FailureCategory.InvalidOperation,
                lease is null
                    ? $"Cluster '{cluster.Name}' has no lease {details.Namespace}/{details.LeaderLease}: the etcd synchronizer is not installed or has never run there. Install it with Install-EtcdSync."
                    : $"Lease {details.Namespace}/{details.LeaderLease} on '{cluster.Name}' has no holder: no etcd-sync pod leads. Check the pods (kubectl get po -n {details.Namespace} -l {details.PodLabelSelector}).",
                cluster.Name);
    }
}
