using System.Collections.Concurrent;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>
/// Queues what background work reports, so that only the pipeline thread calls Write* (PowerShell requires it).
/// </summary>
internal sealed class PipelineOperationLog : IOperationLog
{
    public BlockingCollection<Action<GlobalUpgradeCmdlet>> Queue { get; } = new();

    public void Verbose(string message) => Queue.Add(c => c.WriteVerbose(message));

    public void Debug(string message) => Queue.Add(c => c.WriteDebug(message));

    public void Warning(string message) => Queue.Add(c => c.WriteWarning(message));

    public void Progress(OperationProgress progress) => Queue.Add(c => c.WriteProgress(progress.ToRecord()));
}
