namespace GlobalUpgrade;

/// <summary>Where a runbook step stands.</summary>
public enum StepState
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>One step of Invoke-GlobalDrUpgrade / Invoke-GlobalUpgrade, streamed as it finishes.</summary>
public sealed class RunbookStep
{
    public required string Name { get; init; }

    /// <summary>The cluster(s) the step works on, e.g. "standby" or "primary,standby".</summary>
    public required string Cluster { get; init; }

    public required StepState State { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public TimeSpan? Duration => StartedAt is { } start && FinishedAt is { } end ? end - start : null;

    public string? Message { get; init; }

    /// <summary>Non-secret outputs of the step (run ids, versions, check results), for | Format-List *.</summary>
    public IReadOnlyDictionary<string, object?>? Detail { get; init; }

    public override string ToString() => $"{Name} [{Cluster}]: {State}";
}
