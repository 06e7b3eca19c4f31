namespace GlobalUpgrade;

/// <summary>
/// One check of a pre-flight or consistency test: identity columns first, so a Pester suite can say
/// <c>It '&lt;Check&gt; on &lt;Target&gt;'</c>. A check that could not be made is never Passed.
/// </summary>
public sealed class CheckResult
{
    public required string Check { get; init; }

    public required string Target { get; init; }

    /// <summary>True only when the check was made and passed: derived from <see cref="State"/>, never set.</summary>
    public bool Passed => State == CheckState.Passed;

    /// <summary>Passed / Failed / NotChecked: the one outcome of the check, set by every producer.</summary>
    public required CheckState State { get; init; }

    /// <summary>Passed when <paramref name="passed"/>, otherwise Failed: for a check that was made.</summary>
    public static CheckState Made(bool passed) => passed ? CheckState.Passed : CheckState.Failed;

    public string? Expected { get; init; }

    public string? Actual { get; init; }

    public required string Message { get; init; }

    /// <summary>Extra facts of the check (e.g. a member id, a key list), for | Format-List *.</summary>
    public IReadOnlyDictionary<string, object?>? Detail { get; init; }

    public override string ToString() => $"{Check} on {Target}: {State switch { CheckState.Passed => "passed", CheckState.NotChecked => "NOT CHECKED", _ => "FAILED" }} - {Message}";
}
