namespace GlobalUpgrade.Reporting;

/// <summary>
/// Where the engine reports what it does. The cmdlet layer queues these and writes them on the pipeline thread,
/// so implementations must be thread-safe. Nothing written here may contain a secret.
/// </summary>
public interface IOperationLog
{
    void Verbose(string message);

    void Debug(string message);

    void Warning(string message);

    void Progress(OperationProgress progress);
}
