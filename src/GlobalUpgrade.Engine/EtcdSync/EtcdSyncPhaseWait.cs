using System.Net;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using k8s;
using k8s.Autorest;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Runs one named wait of the synchronizer's start within its own budget; when it runs out, the error
/// (EtcdSyncStalled, target: the phase) names the phase, the budget that ended it and the synchronizer's objects as
/// they were then: each pod with its status and last log line, and the leader lease's holder.
/// </summary>
public static class EtcdSyncPhaseWait
{
    /// <summary>How long reading the objects' last state may take once a wait has stalled.</summary>
    private static readonly TimeSpan StateReadLimit = TimeSpan.FromSeconds(15);

    private const int MaxLogLineLength = 240;

    public static async Task<T> RunAsync<T>(ClusterConnection cluster, EtcdSyncPhase phase, string what, WaitBudget budget, Func<TimeSpan, Task<T>> wait, CancellationToken cancellationToken)
    {
        var limit = budget.For(phase);
        var phaseBound = budget.IsPhaseBound(phase);
        try
        {
            return await wait(limit).ConfigureAwait(false);
        }
        catch (GlobalUpgradeException ex) when (ex.ErrorId == ErrorIds.WaitTimedOut && budget.Details is { } details && !cancellationToken.IsCancellationRequested)
        {
            var state = await DescribeAsync(cluster, details, cancellationToken).ConfigureAwait(false);
            var bound = phaseBound
                ? $"its budget of {limit.TotalSeconds:0} s ran out; raise it with -Assumption @{{ {EtcdSyncWaitBudgets.NameOf(phase)} = '…' }} only if the objects named here are still progressing"
                : $"the {budget.Total.TotalSeconds:0} s of the whole install or restart ran out";
            throw new GlobalUpgradeException(
                ErrorIds.EtcdSyncStalled,
                FailureCategory.OperationTimeout,
                $"The etcd synchronizer on cluster '{cluster.Name}' stalled in phase {phase}, {what}: {bound}. {ex.Message.TrimEnd().TrimEnd('.')}. Its objects now: {state}. {Hint(phase, details)}",
                phase.ToString(),
                ex);
        }
    }

    /// <summary>"pod a: Running, 1/1 ready, last log: …; pod b: …; lease cpaas-system/etcd-sync-mirror: holder a" (never throws).</summary>
    public static async Task<string> DescribeAsync(ClusterConnection cluster, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StateReadLimit);
        var parts = new List<string>();
        try
        {
            var list = await ResourceWatcher.ListAllAsync(cluster.Client, KubeKind.Pods, new ListArgs(details.Namespace, details.PodLabelSelector, null), limit.Token, cluster.Endpoint).ConfigureAwait(false);
            var pods = ObjectList.ItemsOf(list.Items).Select(Pod.From).ToList();
            if (pods.Count == 0)
            {
                parts.Add($"no pod {details.PodLabelSelector} in {details.Namespace}");
            }

            foreach (var pod in pods.Take(5))
            {
                parts.Add($"{pod.Describe()}, last log: {await LastLogLineAsync(cluster, details.Namespace, pod.Name, limit.Token).ConfigureAwait(false)}");
            }
        }
        catch (Exception ex) when (ex is GlobalUpgradeException or HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            parts.Add($"pods not read ({ex.Message})");
        }

        try
        {
            var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(details.LeaderLease, details.Namespace, cancellationToken: limit.Token).ConfigureAwait(false);
            parts.Add($"lease {details.Namespace}/{details.LeaderLease}: holder {(lease.Spec?.HolderIdentity is { Length: > 0 } h ? h : "(none)")}");
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            // Before 4.3 no lease is documented; from 4.3 a missing one is said by the lease phase itself.
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            parts.Add($"lease not read ({ex.Message})");
        }

        return string.Join("; ", parts);
    }

    private static async Task<string> LastLogLineAsync(ClusterConnection cluster, string ns, string pod, CancellationToken cancellationToken)
    {
        try
        {
            var lines = await PodLogFollower.ReadAsync(cluster, ns, pod, cancellationToken).ConfigureAwait(false);
            var last = lines.Count == 0 ? "(nothing logged)" : lines[^1].Line.Trim();
            return last.Length > MaxLogLineLength ? last[..MaxLogLineLength] + "…" : last;
        }
        catch (GlobalUpgradeException ex)
        {
            return $"(not read: {ex.Message})";
        }
    }

    private static string Hint(EtcdSyncPhase phase, EtcdSyncProfile details) => phase switch
    {
        EtcdSyncPhase.BootstrapJob => $"Read the job's log (kubectl logs -n {details.Namespace} job/{details.BootstrapJob}).",
        EtcdSyncPhase.ModuleInfoRunning => $"Read the ModuleInfo's status (kubectl get moduleinfo -l {EtcdSyncProfile.ModuleNameLabel}={details.ModuleName} -o yaml).",
        EtcdSyncPhase.PodReady => $"Read the pods' events (kubectl describe po -n {details.Namespace} -l {details.PodLabelSelector}).",
        EtcdSyncPhase.LeaseHolder => $"No pod took the lease: read the pods' logs (kubectl logs -n {details.Namespace} -l {details.PodLabelSelector}).",
        _ => $"A leader that never logs \"{details.SyncStartedLogLine}\" cannot reach the active cluster: check Active Global Cluster ETCD Endpoints, the token secret {details.ActiveClusterTokenSecret} (4.3.1+) and that port {details.EtcdPort} of the active cluster answers from the standby's nodes, then install again.",
    };
}
