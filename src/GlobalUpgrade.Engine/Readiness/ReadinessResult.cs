namespace GlobalUpgrade.Readiness;

/// <summary>Builds readiness results: Passed follows State, and the doc a condition comes from travels in Detail.Source.</summary>
public static class ReadinessResult
{
    public static CheckResult Create(string check, string target, CheckState state, string? expected, string? actual, string message, string source, IReadOnlyDictionary<string, object?>? detail = null)
    {
        var all = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Source"] = source };
        foreach (var (key, value) in detail ?? new Dictionary<string, object?>())
        {
            all[key] = value;
        }

        return new CheckResult
        {
            Check = check,
            Target = target,
            State = state,
            Expected = expected,
            Actual = actual,
            Message = message,
            Detail = all,
        };
    }

    /// <summary>At most ten names, then "and N more".</summary>
    public static string List(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 10 ? string.Join(", ", list) : string.Join(", ", list.Take(10)) + $" and {list.Count - 10} more";
    }
}
