namespace GlobalUpgrade;

/// <summary>
/// One check of a pre-flight or consistency test: identity columns first, so a Pester suite can say
/// <c>It '&lt;Check&gt; on &lt;Target&gt;'</c>. A check that could not be made is never Passed.
/// </summary>
public sealed class CheckResult
{
    public required string Check { get; init; }

    public required string Target { get; init; }

    /// <summary>True only when the check was made and passed; a State of Failed or NotChecked always reads false.</summary>
    public required bool Passed
    {
        get => passed && state is null or CheckState.Passed;
        init => passed = value;
    }

    /// <summary>
    /// Passed / Failed / NotChecked: derived from <see cref="Passed"/> unless a producer sets it (older producers
    /// set Passed only). A State of Passed with Passed = false reads Failed, so no unchecked item ever passes.
    /// </summary>
    public CheckState State
    {
        get => state is { } set && !(set == CheckState.Passed && !passed) ? set : passed ? CheckState.Passed : CheckState.Failed;
        init => state = value;
    }

    private readonly bool passed;
    private readonly CheckState? state;

    public string? Expected { get; init; }

    public string? Actual { get; init; }

    public required string Message { get; init; }

    /// <summary>Extra facts of the check (e.g. a member id, a key list), for | Format-List *.</summary>
    public IReadOnlyDictionary<string, object?>? Detail { get; init; }

    public override string ToString() => $"{Check} on {Target}: {State switch { CheckState.Passed => "passed", CheckState.NotChecked => "NOT CHECKED", _ => "FAILED" }} - {Message}";
}
