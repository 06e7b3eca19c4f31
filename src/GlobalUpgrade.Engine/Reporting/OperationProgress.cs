namespace GlobalUpgrade.Reporting;

/// <summary>One progress report of a long operation (maps to Write-Progress).</summary>
public sealed record OperationProgress(int ActivityId, string Activity, string Status, int PercentComplete = -1, string? CurrentOperation = null, bool Completed = false, TimeSpan? Elapsed = null);
