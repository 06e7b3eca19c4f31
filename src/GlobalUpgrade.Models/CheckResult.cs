namespace GlobalUpgrade;

/// <summary>
/// One check of a pre-flight or consistency test: identity columns first, so a Pester suite can say
/// <c>It '&lt;Check&gt; on &lt;Target&gt;'</c>. A check that could not be made is never Passed.
/// </summary>
public sealed class CheckResult
{
    public required string Check { get; init; }

    public required string Target { get; init; }

    public required bool Passed { get; init; }

    public string? Expected { get; init; }

    public string? Actual { get; init; }

    public required string Message { get; init; }

    /// <summary>Extra facts of the check (e.g. a member id, a key list), for | Format-List *.</summary>
    public IReadOnlyDictionary<string, object?>? Detail { get; init; }

    public override string ToString() => $"{Check} on {Target}: {(Passed ? "passed" : "FAILED")} - {Message}";
}
