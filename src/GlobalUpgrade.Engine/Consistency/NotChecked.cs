namespace GlobalUpgrade.Consistency;

/// <summary>The one shape of a check that could not be made: failed, "not checked", with the error id that says why.</summary>
public static class NotChecked
{
    public static CheckResult Result(string check, string target, string errorId, string why) => new()
    {
        Check = check,
        Target = target,
        State = CheckState.NotChecked,
        Expected = "a completed check",
        Actual = "not checked",
        Message = $"NOT CHECKED (counts as failed): {why}",
        Detail = new Dictionary<string, object?> { ["ErrorId"] = errorId },
    };
}
