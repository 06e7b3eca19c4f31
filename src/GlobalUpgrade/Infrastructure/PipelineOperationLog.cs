using System.Collections.Concurrent;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>
/// The log of one command: queues what background work reports, so that only the pipeline thread calls Write*
/// (PowerShell requires it). The engine context carries it; the ambient <see cref="OperationLog"/> is set to it too.
/// </summary>
internal sealed class PipelineOperationLog : IOperationLog, IDisposable
{
    private readonly BlockingCollection<Action<GlobalUpgradeCmdlet>> queue = new();

    public void Verbose(string message) => Add(c => c.WriteVerbose(message));

    public void Debug(string message) => Add(c => c.WriteDebug(message));

    public void Warning(string message) => Add(c => c.WriteWarning(message));

    public void Progress(OperationProgress progress) => Add(c => c.WriteProgress(progress.ToRecord()));

    /// <summary>On the pipeline thread: writes what is reported until <paramref name="work"/> ends, then what is left.</summary>
    public void WriteUntil(Task work, GlobalUpgradeCmdlet cmdlet)
    {
        // Not disposed: the continuation may still be inside Cancel when the loop below wakes; it holds no handle.
        var ended = new CancellationTokenSource();
        _ = work.ContinueWith(_ => ended.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            foreach (var write in queue.GetConsumingEnumerable(ended.Token))
            {
                write(cmdlet);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
        }

        while (queue.TryTake(out var write))
        {
            write(cmdlet);
        }
    }

    public void Dispose() => queue.Dispose();

    private void Add(Action<GlobalUpgradeCmdlet> write)
    {
        try
        {
            queue.Add(write);
        }
        catch (ObjectDisposedException)
        {
            // Work that outlived its command (a stopped pipeline): no one reads its messages any more.
        }
    }
}
