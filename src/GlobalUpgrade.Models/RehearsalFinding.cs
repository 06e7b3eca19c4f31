namespace GlobalUpgrade;

/// <summary>
/// One thing a rehearsal found: a readiness failure, something the snapshot lacks, a value the rehearsal had to
/// assume, a step that failed. <see cref="Code"/> is stable (tests and reports match on it).
/// </summary>
public sealed record RehearsalFinding(string Source, string Cluster, string Code, string Message)
{
    public override string ToString() => $"{Source} [{Cluster}] {Code}: {Message}";
}
