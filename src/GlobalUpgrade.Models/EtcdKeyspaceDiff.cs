namespace GlobalUpgrade;

/// <summary>
/// The result of Compare-EtcdKeyspace: keys of one etcd keyspace (the primary's) against another (the standby's),
/// both read completely at one revision each. There is no partial result: a scan that failed is an error, so an
/// object of this type always describes two complete scans.
/// </summary>
public sealed class EtcdKeyspaceDiff
{
    /// <summary>Keys in the primary and not in the standby (what the synchronizer has not copied), at most <see cref="MaxKeys"/>.</summary>
    public required IReadOnlyList<string> MissedKeys { get; init; }

    /// <summary>Keys only in the standby (never delete them without a review), at most <see cref="MaxKeys"/>.</summary>
    public required IReadOnlyList<string> SurplusKeys { get; init; }

    /// <summary>Keys on both sides whose values differ (only with -CompareValues), at most <see cref="MaxKeys"/>.</summary>
    public required IReadOnlyList<string> ChangedKeys { get; init; }

    /// <summary>How many keys are missed in all (the list may hold fewer: see <see cref="IsTruncated"/>).</summary>
    public required long MissedCount { get; init; }

    public required long SurplusCount { get; init; }

    public required long ChangedCount { get; init; }

    /// <summary>Keys of the primary that were compared (excluded keys are not counted here).</summary>
    public required long PrimaryCount { get; init; }

    /// <summary>Keys of the standby that were compared (excluded keys are not counted here).</summary>
    public required long StandbyCount { get; init; }

    /// <summary>Keys skipped by the exclusion list, both sides together.</summary>
    public required long ExcludedCount { get; init; }

    /// <summary>The etcd revision the primary was read at (every page of the scan is pinned to it).</summary>
    public required long PrimaryRevision { get; init; }

    public required long StandbyRevision { get; init; }

    /// <summary>The primary endpoint that answered.</summary>
    public required string PrimaryEndpoint { get; init; }

    public required string StandbyEndpoint { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>Whether values were compared too (-CompareValues); without it ChangedKeys is always empty.</summary>
    public required bool ValuesCompared { get; init; }

    /// <summary>The most keys kept per list (-MaxKeys); the counts always count every key.</summary>
    public required int MaxKeys { get; init; }

    /// <summary>True when a list holds fewer keys than its count says.</summary>
    public bool IsTruncated => MissedCount > MissedKeys.Count || SurplusCount > SurplusKeys.Count || ChangedCount > ChangedKeys.Count;

    /// <summary>True only when both scans completed and nothing is missed, surplus or changed.</summary>
    public bool IsConsistent => MissedCount == 0 && SurplusCount == 0 && ChangedCount == 0;

    /// <summary>The key prefix compared (default /registry/).</summary>
    public required string Prefix { get; init; }

    /// <summary>The exclusion rules in force: key prefixes ('/registry/events/') and namespaces ('namespace:kube-system').</summary>
    public required IReadOnlyList<string> Exclusions { get; init; }

    public override string ToString() =>
        IsConsistent
            ? $"consistent: {PrimaryCount} keys under {Prefix}"
            : $"{MissedCount} missed, {SurplusCount} surplus, {ChangedCount} changed keys under {Prefix}";
}
