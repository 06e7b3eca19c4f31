namespace GlobalUpgrade;

/// <summary>What Export-GlobalClusterSnapshot wrote: the file, the clusters in it, how many objects and how big.</summary>
public sealed class GlobalClusterSnapshot
{
    public required string Path { get; init; }

    /// <summary>The connection names of the clusters in the file (a DR pair: both).</summary>
    public required IReadOnlyList<string> Clusters { get; init; }

    public int ObjectCount { get; init; }

    public long SizeBytes { get; init; }

    public DateTimeOffset TakenAt { get; init; }
}
