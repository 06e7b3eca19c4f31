using System.Net;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using k8s;
using k8s.Autorest;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Restart-EtcdSync: the documented cure for missed keys — delete the leader pod (lease etcd-sync-mirror holder) and
/// wait, event-driven, for its successor to lead and log "Start Sync update".
/// </summary>
public static class EtcdSyncRestarter
{
    public static async Task<string> ReadLeaderAsync(ClusterConnection cluster, EtcdSyncProfile details, CancellationToken cancellationToken)
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

    public static async Task<EtcdSyncInstallation> RestartAsync(ClusterConnection cluster, PlatformProfile profile, string leader, string? moduleName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var details = profile.EtcdSyncDetails;
        var budget = new WaitBudget(timeout);
        var (successor, startedAt) = await EtcdSyncInstaller.RestartLeaderAsync(cluster, details, leader, budget, cancellationToken).ConfigureAwait(false);
        var module = profile.EtcdSync == EtcdSyncKind.HelmRelease ? PlatformProfile.HelmEraRelease : await EtcdSyncPlugin.ResolveModuleNameAsync(cluster, profile, moduleName, cancellationToken).ConfigureAwait(false);
        var info = profile.EtcdSync == EtcdSyncKind.HelmRelease ? null : (await EtcdSyncPlugin.FindModuleInfosAsync(cluster, module, details, cancellationToken).ConfigureAwait(false)) is { Count: > 0 } infos ? infos[0] : null;
        return new EtcdSyncInstallation
        {
            Cluster = cluster.Name,
            ModuleInfo = info is null ? null : JsonPath.Name(info),
            ModuleName = module,
            Version = JsonPath.String(info, "status.version") ?? JsonPath.String(info, "spec.version"),
            Phase = JsonPath.String(info, "status.phase"),
            LeaderPod = successor,
            SyncStartedAt = startedAt,
            Changed = true,
        };
    }
}
