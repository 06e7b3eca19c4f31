namespace GlobalUpgrade;

/// <summary>What Invoke-GlobalUpgradeRehearsal returns: the runbook it ran on the simulator, its steps, the findings and the report.</summary>
public sealed class GlobalUpgradeRehearsal
{
    public required string SnapshotPath { get; init; }

    public required string TargetVersion { get; init; }

    /// <summary>Invoke-GlobalDrUpgrade or Invoke-GlobalUpgrade, by what the snapshot holds.</summary>
    public required string Runbook { get; init; }

    /// <summary>True when every step succeeded or was skipped.</summary>
    public required bool Completed { get; init; }

    public required IReadOnlyList<RunbookStep> Steps { get; init; }

    public required IReadOnlyList<CheckResult> Readiness { get; init; }

    public required IReadOnlyList<RehearsalFinding> Findings { get; init; }

    public required string JournalPath { get; init; }

    public required string ReportPath { get; init; }
}
