namespace GlobalUpgrade.Errors;

/// <summary>
/// A failure the user can act on: a stable id (becomes the ErrorRecord's FullyQualifiedErrorId), a category and
/// a message that says what to do. Messages must never carry secrets.
/// </summary>
public sealed class GlobalUpgradeException : Exception
{
    public GlobalUpgradeException(string errorId, FailureCategory category, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    public string ErrorId { get; }

    public FailureCategory Category { get; }

    /// <summary>The object the error is about (a cluster name, a path, an endpoint).</summary>
    public object? Target { get; }
}
