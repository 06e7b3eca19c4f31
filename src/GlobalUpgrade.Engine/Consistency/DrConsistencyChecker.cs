using GlobalUpgrade.Errors;
using GlobalUpgrade.Etcd;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Consistency;

/// <summary>What Test-GlobalDrConsistency asks for.</summary>
public sealed record DrConsistencyRequest(
    ClusterConnection Primary,
    ClusterConnection Standby,
    ConsistencySource Source,
    EtcdSyncProfile Profile,
    TimeSpan MonitorTimeout,
    EtcdKeyspaceRequest? Keyspace);

/// <summary>
/// The gate of the DR procedure. Every check either ran to completion and says what it found, or failed with
/// "could not check" — an unchecked item is never Passed.
/// </summary>
public static class DrConsistencyChecker
{
    public static async Task<IReadOnlyList<CheckResult>> RunAsync(DrConsistencyRequest request, CancellationToken cancellationToken)
    {
        await DrPair.EnsureDistinctAsync(request.Primary, request.Standby, cancellationToken).ConfigureAwait(false);
        var checks = new List<(string Check, string Target, Func<CancellationToken, Task<CheckResult>> Run)>();
        if (request.Source is ConsistencySource.Monitor or ConsistencySource.Both)
        {
            checks.Add((CheckNames.StandbyInSync, request.Standby.Name, ct => MonitorCheckAsync(request, ct)));
        }

        if (request.Source is ConsistencySource.Etcd or ConsistencySource.Both)
        {
            var keyspace = request.Keyspace ?? throw new GlobalUpgradeException(
                ErrorIds.EtcdEndpointsRequired,
                FailureCategory.InvalidArgument,
                "-Source Etcd and -Source Both compare the two etcd keyspaces directly: give -PrimaryEtcdEndpoint and -StandbyEtcdEndpoint (and the TLS files of each side).");
            checks.Add((CheckNames.StandbyKeyspaceMatches, request.Standby.Name, async ct => FromKeyspaceDiff(request.Standby.Name, await EtcdKeyspaceComparer.CompareAsync(keyspace, ct).ConfigureAwait(false))));
        }

        foreach (var cluster in new[] { request.Primary, request.Standby })
        {
            checks.Add((CheckNames.MachinesRunning, cluster.Name, ct => ClusterStateChecks.MachinesRunningAsync(cluster, ct)));
            checks.Add((CheckNames.PluginsSettled, cluster.Name, ct => ClusterStateChecks.PluginsSettledAsync(cluster, ct)));
            checks.Add((CheckNames.ComponentsSettled, cluster.Name, ct => ClusterStateChecks.ComponentsSettledAsync(cluster, ct)));
        }

        checks.Add((CheckNames.PlatformVersionsMatch, $"{request.Primary.Name},{request.Standby.Name}", ct => VersionsMatchAsync(request.Primary, request.Standby, ct)));

        // The checks read different servers; run them together and report them in a fixed order.
        var results = await Task.WhenAll(checks.Select(c => Guarded(c.Check, c.Target, c.Run, cancellationToken))).ConfigureAwait(false);
        return results;
    }

    private static async Task<CheckResult> MonitorCheckAsync(DrConsistencyRequest request, CancellationToken cancellationToken)
    {
        // The synchronizer's line is the primary's: before 4.0 it runs there, and a DR pair runs one version.
        var version = await PlatformVersionReader.ReadAsync(request.Primary, cancellationToken).ConfigureAwait(false);
        if (PlatformLine.Of(version) is { EtcdSync.HasSyncMonitor: false })
        {
            return ConsistencyAttestation.MonitorNotDocumented(request.Standby.Name, version!);
        }

        var status = await SyncMonitorClient.ReadViaProxyAsync(request.Standby, request.Profile, request.MonitorTimeout, cancellationToken).ConfigureAwait(false);
        return FromSyncStatus(status);
    }

    public static CheckResult FromSyncStatus(EtcdSyncStatus status) => new()
    {
        Check = CheckNames.StandbyInSync,
        Target = status.Cluster,
        State = CheckResult.Made(status.IsInSync),
        Expected = "0 missed, 0 surplus keys",
        Actual = $"{status.MissedCount} missed, {status.SurplusCount} surplus keys",
        Message = status.IsInSync
            ? $"The etcd sync monitor of {status.Cluster} reports no missed and no surplus keys."
            : $"The standby {status.Cluster} is not in sync: {status.MissedCount} missed keys (e.g. {string.Join(", ", status.MissedKeys.Take(3))}) and {status.SurplusCount} surplus keys (e.g. {string.Join(", ", status.SurplusKeys.Take(3))}). Missed keys are often cured by Restart-EtcdSync; surplus keys need an operator's review — never delete them blindly.",
        Detail = new Dictionary<string, object?> { ["MissedKeys"] = status.MissedKeys, ["SurplusKeys"] = status.SurplusKeys, ["Source"] = status.Source },
    };

    public static CheckResult FromKeyspaceDiff(string standby, EtcdKeyspaceDiff diff)
    {
        var same = diff.MissedCount == 0 && diff.SurplusCount == 0 && diff.ChangedCount == 0;
        return new CheckResult
        {
            Check = CheckNames.StandbyKeyspaceMatches,
            Target = standby,
            State = CheckResult.Made(same),
            Expected = $"the standby's keys equal the primary's {diff.PrimaryCount} (after {diff.ExcludedCount} excluded)",
            Actual = $"{diff.MissedCount} missed, {diff.SurplusCount} surplus{(diff.ValuesCompared ? $", {diff.ChangedCount} changed" : "")}",
            Message = same
                ? $"The etcd keyspaces match: {diff.PrimaryCount} keys on {diff.PrimaryEndpoint} (revision {diff.PrimaryRevision}) and {diff.StandbyCount} on {diff.StandbyEndpoint} (revision {diff.StandbyRevision})."
                : $"The standby's etcd differs from the primary's: {diff.MissedCount} keys missed (e.g. {string.Join(", ", diff.MissedKeys.Take(3))}), {diff.SurplusCount} surplus (e.g. {string.Join(", ", diff.SurplusKeys.Take(3))}){(diff.ValuesCompared ? $", {diff.ChangedCount} with other values" : "")}. Nothing is deleted: review surplus keys with the operations team.",
            Detail = new Dictionary<string, object?> { ["MissedKeys"] = diff.MissedKeys, ["SurplusKeys"] = diff.SurplusKeys, ["ChangedKeys"] = diff.ChangedKeys },
        };
    }

    private static async Task<CheckResult> VersionsMatchAsync(ClusterConnection primary, ClusterConnection standby, CancellationToken cancellationToken)
    {
        // Re-read: the versions cached at connect time may predate an upgrade.
        var versions = await Task.WhenAll(
            PlatformVersionReader.ReadAsync(primary, cancellationToken),
            PlatformVersionReader.ReadAsync(standby, cancellationToken)).ConfigureAwait(false);
        var same = string.Equals(versions[0], versions[1], StringComparison.Ordinal);
        return new CheckResult
        {
            Check = CheckNames.PlatformVersionsMatch,
            Target = $"{primary.Name},{standby.Name}",
            State = CheckResult.Made(same),
            Expected = versions[0],
            Actual = versions[1],
            Message = same
                ? $"Both clusters run ACP {versions[0]}."
                : $"The primary {primary.Name} runs ACP {versions[0]} but the standby {standby.Name} runs {versions[1]}. A DR pair must be on one version before and after the upgrade.",
        };
    }

    private static async Task<CheckResult> Guarded(string check, string target, Func<CancellationToken, Task<CheckResult>> run, CancellationToken cancellationToken)
    {
        try
        {
            return await run(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            OperationLog.Current.Debug($"{check} on {target} could not be checked: {ex.GetType().Name}");
            return NotChecked.Result(check, target, (ex as GlobalUpgradeException)?.ErrorId ?? ErrorIds.UnexpectedError, ex.Message);
        }
    }
}
