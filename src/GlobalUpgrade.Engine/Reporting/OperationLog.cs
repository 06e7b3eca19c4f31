namespace GlobalUpgrade.Reporting;

/// <summary>
/// The log of the operation running on this async flow: the same log the command's engine context carries
/// (<c>EngineContext.Log</c>), which engine code with a context uses. Long-lived objects that no context reaches (HTTP
/// handlers shared by a session's connections) report through this to whichever cmdlet is calling them now.
/// </summary>
public static class OperationLog
{
    private static readonly AsyncLocal<IOperationLog?> CurrentLog = new();

    public static IOperationLog Current => CurrentLog.Value ?? NullOperationLog.Instance;

    public static IDisposable Use(IOperationLog log)
    {
        var previous = CurrentLog.Value;
        CurrentLog.Value = log;
        return new Restore(previous);
    }

    private sealed class Restore(IOperationLog? previous) : IDisposable
    {
        public void Dispose() => CurrentLog.Value = previous;
    }
}

/// <summary>Discards everything; used when no cmdlet is listening (tests, background work).</summary>
public sealed class NullOperationLog : IOperationLog
{
    public static readonly NullOperationLog Instance = new();

    public void Verbose(string message) { }

    public void Debug(string message) { }

    public void Warning(string message) { }

    public void Progress(OperationProgress progress) { }
}
