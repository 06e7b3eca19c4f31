namespace GlobalUpgrade;

/// <summary>
/// What the etcd synchronizer's monitor (/check) reports for the standby. <see cref="IsInSync"/> is true only when
/// the whole report was read and understood and both lists are empty; anything else is not in sync.
/// </summary>
public sealed record EtcdSyncStatus
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

    /// <summary>
    /// True when the primary's token or etcd CA changed since the synchronizer's bootstrap job last ran (Install-EtcdSync
    /// -RefreshCredentials refreshes them); null when not known (see <see cref="CredentialsReason"/>).
    /// </summary>
    public bool? CredentialsChanged { get; init; }

    /// <summary>Why <see cref="CredentialsChanged"/> is what it is (which credential changed, or why it is not known).</summary>
    public string? CredentialsReason { get; init; }

    public override string ToString() => IsInSync ? $"{Cluster}: in sync" : $"{Cluster}: {MissedCount} missed, {SurplusCount} surplus keys";
}
