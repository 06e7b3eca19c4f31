using GlobalUpgrade.Consistency;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// docs/safety.md rule 2: the synchronizer is not removed while the standby misses or has surplus keys, or a Machine is not
/// Running — the DR consistency checks, every one of which must pass. An unchecked item counts as failed.
/// </summary>
public static class EtcdSyncGuard
{
    /// <summary>The checks that stop the removal; an <paramref name="attestation"/> stands in only where no report is documented (3.x).</summary>
    public static async Task<IReadOnlyList<CheckResult>> FailedChecksAsync(ClusterConnection primary, ClusterConnection standby, EtcdSyncProfile details, TimeSpan monitorTimeout, CancellationToken cancellationToken, string? attestation = null)
    {
        var request = new DrConsistencyRequest(primary, standby, ConsistencySource.Monitor, details, monitorTimeout, Keyspace: null);
        var results = ConsistencyAttestation.Apply(await DrConsistencyChecker.RunAsync(request, cancellationToken).ConfigureAwait(false), attestation);
        return results.Count == 0
            ? [new CheckResult { Check = "DrConsistency", Target = $"{primary.Name},{standby.Name}", State = CheckState.NotChecked, Message = "No check ran." }]
            : results.Where(r => !r.Passed && !ConsistencyAttestation.IsAttested(r)).ToList();
    }

    public static string Describe(IReadOnlyList<CheckResult> failed) =>
        string.Join(Environment.NewLine, failed.Select(f => $"  - {f.Check} on {f.Target}: {f.Message}"));
}
