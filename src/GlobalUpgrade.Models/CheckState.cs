namespace GlobalUpgrade;

/// <summary>The outcome of one check. NotChecked (nothing could be read, or only a person can tell) is never passed.</summary>
public enum CheckState
{
    Passed,
    Failed,
    NotChecked,
}
