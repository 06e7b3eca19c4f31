using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.EtcdSync;

/// <summary>The event-driven waits of the synchronizer's life, built on <see cref="ResourceWatcher"/> and <see cref="PodLogFollower"/>.</summary>
public static class EtcdSyncWaits
{
    public static Task ModuleInfosGoneAsync(ClusterConnection cluster, string selector, WaitBudget budget, CancellationToken cancellationToken) =>
        ResourceWatcher.WaitAsync(cluster, AcpResources.ModuleInfos, new ListArgs(null, selector, null), new WaitCondition
        {
            Description = $"ModuleInfo {selector} to be gone",
            IsDone = items => items.Count == 0,
            DescribeState = items => string.Join("; ", items.Select(i => ModuleInfo.From(i).DescribeRemoval())),
        }, budget.Remaining, cancellationToken);

    public static Task PodsGoneAsync(ClusterConnection cluster, string ns, string labelSelector, WaitBudget budget, CancellationToken cancellationToken) =>
        ResourceWatcher.WaitAsync(cluster, KubeKind.Pods, new ListArgs(ns, labelSelector, null), new WaitCondition
        {
            Description = $"pods {labelSelector} in {ns} to be gone",
            IsDone = items => items.Count == 0,
            DescribeState = DescribePods,
        }, budget.Remaining, cancellationToken);

    public static async Task<JsonObject> ModuleInfoRunningAsync(ClusterConnection cluster, string selector, string version, WaitBudget budget, CancellationToken cancellationToken)
    {
        var what = $"waiting for ModuleInfo {selector} to be Running at {version}";
        var result = await EtcdSyncPhaseWait.RunAsync(cluster, EtcdSyncPhase.ModuleInfoRunning, what, budget, limit => ResourceWatcher.WaitAsync(cluster, AcpResources.ModuleInfos, new ListArgs(null, selector, null), new WaitCondition
        {
            Description = $"ModuleInfo {selector} to be Running at {version}",
            IsDone = items => items.Any(i => IsRunningAt(i, version)),
            DescribeState = items => items.Count == 0 ? "no ModuleInfo yet" : string.Join("; ", items.Select(i => ModuleInfo.From(i).DescribeState())),
        }, limit, cancellationToken), cancellationToken).ConfigureAwait(false);
        return result.Objects.First(i => IsRunningAt(i, version));
    }

    public static bool IsRunningAt(JsonObject moduleInfo, string version) =>
        ModuleInfo.From(moduleInfo) is { IsRunning: true } info && (info.StatusVersion is not { } v || EtcdSyncPlugin.SameVersion(v, version));

    public static Task JobCompleteAsync(ClusterConnection cluster, string ns, string job, WaitBudget budget, CancellationToken cancellationToken) =>
        EtcdSyncPhaseWait.RunAsync(cluster, EtcdSyncPhase.BootstrapJob, $"waiting for job {ns}/{job} to complete", budget, limit => ResourceWatcher.WaitAsync(cluster, KubeKind.Jobs, new ListArgs(ns, null, $"metadata.name={job}"), new WaitCondition
        {
            Description = $"job {ns}/{job} to complete",
            IsDone = items => items.Any(j => Job.From(j).IsComplete),
            FailsWith = items => items.Select(Job.From).FirstOrDefault(j => j.HasFailed) is { } failed
                ? new GlobalUpgradeException(ErrorIds.BootstrapJobFailed, FailureCategory.InvalidOperation, $"Job {ns}/{job} on cluster '{cluster.Name}' failed: {failed.FailureMessage}. Read its pod's log (kubectl logs -n {ns} job/{job}) before installing again.", job)
                : null,
            DescribeState = items => items.Count == 0 ? $"job {job} not created yet" : string.Join("; ", items.Select(j => Job.From(j).Describe())),
        }, limit, cancellationToken), cancellationToken);

    /// <summary>Waits until a pod of the selection is Running with every container ready; returns its name.</summary>
    public static async Task<string> PodReadyAsync(ClusterConnection cluster, string ns, string labelSelector, string? podName, WaitBudget budget, CancellationToken cancellationToken)
    {
        var what = podName is null ? $"a pod {labelSelector} in {ns}" : $"pod {ns}/{podName}";
        var result = await EtcdSyncPhaseWait.RunAsync(cluster, EtcdSyncPhase.PodReady, $"waiting for {what} to be Running and Ready", budget, limit => ResourceWatcher.WaitAsync(cluster, KubeKind.Pods, new ListArgs(ns, labelSelector, podName is null ? null : $"metadata.name={podName}"), new WaitCondition
        {
            Description = $"{what} to be Running and Ready",
            IsDone = items => items.Any(IsReady),
            DescribeState = DescribePods,
        }, limit, cancellationToken), cancellationToken).ConfigureAwait(false);
        return ObjectMeta.NameOf(result.Objects.First(IsReady));
    }

    /// <summary>
    /// Waits for the pod the version's docs act on, other than <paramref name="notLeader"/>: 4.3+ the holder of lease
    /// etcd-sync-mirror; 4.0–4.2 the first pod by name (no lease is documented there, so none is waited for).
    /// </summary>
    public static Task<string> LeaderAsync(ClusterConnection cluster, EtcdSyncProfile details, EtcdSyncLeaderDetection detection, string? notLeader, WaitBudget budget, CancellationToken cancellationToken) =>
        detection switch
        {
            EtcdSyncLeaderDetection.Lease => LeaseHolderAsync(cluster, details, notLeader, budget, cancellationToken),
            EtcdSyncLeaderDetection.FirstPodByName => FirstPodAsync(cluster, details, notLeader, budget, cancellationToken),
            _ => throw EtcdSyncRestarter.NotDocumented(cluster),
        };

    /// <summary>
    /// [doc] 4.0–4.2 (release-4.x docs/en/upgrade/upgrade_global_cluster.mdx "Reinstall the etcd sync plugin"):
    /// `kubectl get po -l app=etcd-sync --no-headers | head -1`, i.e. the first pod by name (terminating pods left out).
    /// </summary>
    public static string? FirstPodByName(IEnumerable<JsonObject> pods, string? notPod = null) =>
        pods.Select(Pod.From).Where(p => !p.Meta.IsDeleting)
            .Select(p => p.Name)
            .Where(n => n.Length > 0 && n != notPod)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();

    private static async Task<string> FirstPodAsync(ClusterConnection cluster, EtcdSyncProfile details, string? notPod, WaitBudget budget, CancellationToken cancellationToken)
    {
        var description = notPod is null ? $"a pod {details.PodLabelSelector} in {details.Namespace}" : $"a pod {details.PodLabelSelector} in {details.Namespace} other than {notPod}";
        var result = await EtcdSyncPhaseWait.RunAsync(cluster, EtcdSyncPhase.PodReady, $"waiting for {description}", budget, limit => ResourceWatcher.WaitAsync(cluster, KubeKind.Pods, new ListArgs(details.Namespace, details.PodLabelSelector, null), new WaitCondition
        {
            Description = description,
            IsDone = items => FirstPodByName(items, notPod) is not null,
            DescribeState = DescribePods,
        }, limit, cancellationToken), cancellationToken).ConfigureAwait(false);
        return FirstPodByName(result.Objects, notPod)!;
    }

    /// <summary>[doc] 4.3+ (release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx): wait until the lease has a holder other than <paramref name="notHolder"/>.</summary>
    private static async Task<string> LeaseHolderAsync(ClusterConnection cluster, EtcdSyncProfile details, string? notHolder, WaitBudget budget, CancellationToken cancellationToken)
    {
        static string? Holder(IReadOnlyList<JsonObject> items) => items.Select(l => Lease.From(l).Holder).FirstOrDefault(h => h is not null);
        var description = notHolder is null ? $"lease {details.Namespace}/{details.LeaderLease} to have a holder" : $"lease {details.Namespace}/{details.LeaderLease} to pass from {notHolder} to a new leader";
        var result = await EtcdSyncPhaseWait.RunAsync(cluster, EtcdSyncPhase.LeaseHolder, $"waiting for {description}", budget, limit => ResourceWatcher.WaitAsync(cluster, KubeKind.Leases, new ListArgs(details.Namespace, null, $"metadata.name={details.LeaderLease}"), new WaitCondition
        {
            Description = description,
            IsDone = items => Holder(items) is { } h && h != notHolder,
            DescribeState = items => items.Count == 0 ? "no lease yet" : $"holder {Holder(items) ?? "(none)"}",
        }, limit, cancellationToken), cancellationToken).ConfigureAwait(false);
        return Holder(result.Objects)!;
    }

    /// <summary>
    /// The documented "is it syncing" check, event-driven: the version's leader (other than <paramref name="previousLeader"/>)
    /// whose pod is Ready and has logged "Start Sync update". Returns the leader and when it logged the line.
    /// </summary>
    public static async Task<(string Leader, DateTimeOffset? SyncStartedAt)> LeaderSyncingAsync(ClusterConnection cluster, EtcdSyncProfile details, EtcdSyncLeaderDetection detection, string? previousLeader, WaitBudget budget, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var leader = await LeaderAsync(cluster, details, detection, previousLeader, budget, cancellationToken).ConfigureAwait(false);
            try
            {
                await PodReadyAsync(cluster, details.Namespace, details.PodLabelSelector, leader, budget, cancellationToken).ConfigureAwait(false);
                var line = await EtcdSyncPhaseWait.RunAsync(cluster, EtcdSyncPhase.SyncStarted, $"waiting for log line '{details.SyncStartedLogLine}' of leader {details.Namespace}/{leader}", budget,
                    limit => PodLogFollower.WaitForLineAsync(cluster, details.Namespace, leader, details.SyncStartedLogLine, limit, cancellationToken), cancellationToken).ConfigureAwait(false);
                return (leader, line.Time);
            }
            catch (GlobalUpgradeException ex) when (ex.ErrorId == ErrorIds.PodGone && attempt < 3)
            {
                // The leader went away under us (someone restarted it): follow its successor.
                OperationLog.Current.Verbose($"[{cluster.Name}] leader {leader} went away; following its successor");
                previousLeader = leader;
            }
        }
    }

    public static bool IsReady(JsonObject pod) => Pod.From(pod).IsReady;

    /// <summary>"pod x: Pending, 0/1 ready, etcd-sync waiting: ImagePullBackOff (message)" for each pod.</summary>
    public static string DescribePods(IReadOnlyList<JsonObject> pods) =>
        pods.Count == 0 ? "no pod" : string.Join("; ", pods.Select(DescribePod));

    public static string DescribePod(JsonObject pod) => Pod.From(pod).Describe();
}
