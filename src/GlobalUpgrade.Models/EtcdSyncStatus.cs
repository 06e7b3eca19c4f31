namespace GlobalUpgrade;

/// <summary>
/// What the etcd synchronizer's monitor (/check) reports for the standby. <see cref="IsInSync"/> is true only when
/// the whole report was read and understood and both lists are empty; anything else is not in sync.
/// </summary>
public sealed class EtcdSyncStatus
{
    public required string Cluster { get; init; }

    public required bool IsInSync { get; init; }

    /// <summary>Keys in the primary's etcd that the standby lacks (often cured by restarting the leader pod).</summary>
    public required IReadOnlyList<string> MissedKeys { get; init; }

    /// <summary>Keys only the standby has. Never deleted by this module: an operator reviews them.</summary>
    public required IReadOnlyList<string> SurplusKeys { get; init; }

    public int MissedCount => MissedKeys.Count;

    public int SurplusCount => SurplusKeys.Count;

    public required DateTimeOffset CheckedAt { get; init; }

    /// <summary>Where the report came from: the service proxy path or the monitor URI.</summary>
    public required string Source { get; init; }

    public override string ToString() => IsInSync ? $"{Cluster}: in sync" : $"{Cluster}: {MissedCount} missed, {SurplusCount} surplus keys";
}
