using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Session;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>
/// The base of every cmdlet: cancellation on Ctrl+C, the session's connections, the engine context (state folder
/// and run stores, assumptions, clock, the command's log and node connections), engine work run off the pipeline
/// thread with its messages written on it, and engine failures turned into ErrorRecords.
/// </summary>
public abstract class GlobalUpgradeCmdlet : PSCmdlet, IDisposable
{
    private static readonly ConcurrentDictionary<Guid, byte> WatchedSessions = new();
    private CancellationTokenSource? cancellation;
    private ConnectionRegistry? connections;
    private readonly PipelineOperationLog log = new();
    private EngineContext? engine;

    protected CancellationToken CancellationToken => (cancellation ??= new CancellationTokenSource()).Token;

    /// <summary>The session's connections. Resolved on the pipeline thread: the runspace is thread-bound.</summary>
    protected ConnectionRegistry Connections => connections ??= SessionConnections();

    /// <summary>
    /// What engine work of this command uses: the session's state folder and run stores, the [assumed] facts with
    /// the command's -Assumption applied (an unknown name is a terminating error), the command's log and its node
    /// connections (closed when the command ends). Resolved on the pipeline thread.
    /// </summary>
    protected EngineContext Engine => engine ??= new EngineContext(StateFolder.For(SessionId), Require(() => PlatformAssumptions.From(AssumptionOverrides)), log: log);

    /// <summary>The -Assumption values of a cmdlet that takes them (with any older parameter that names one, e.g. -MonitorPort).</summary>
    protected virtual IReadOnlyDictionary<string, string?>? AssumptionOverrides => null;

    private static Guid SessionId => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

    /// <summary>The runspace's registry; forgotten (its connections closed) when the runspace closes, e.g. a rehearsal's.</summary>
    private static ConnectionRegistry SessionConnections()
    {
        if (Runspace.DefaultRunspace is { } runspace && WatchedSessions.TryAdd(runspace.InstanceId, 0))
        {
            var id = runspace.InstanceId;
            runspace.StateChanged += (_, e) =>
            {
                if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
                {
                    ConnectionRegistry.EndSession(id);
                    _ = WatchedSessions.TryRemove(id, out byte _);
                }
            };
        }

        return ConnectionRegistry.ForSession(SessionId);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            cancellation?.Dispose();
            engine?.Dispose();
            log.Dispose();
        }
    }

    protected override void BeginProcessing()
    {
        cancellation ??= new CancellationTokenSource();
        _ = Connections;

        // A wrong -Assumption is refused at once, before anything is asked of a cluster.
        _ = Engine;
    }

    protected override void StopProcessing() => cancellation?.Cancel();

    /// <summary>
    /// Writes a verbose message, or a debug message under -Debug without -Verbose. PowerShell makes -Debug ask
    /// before each verbose message of a compiled cmdlet (Inquire), which a script or CI job, having no one to answer,
    /// turns into a failure of the command; shown as debug, the message is still there and nothing is asked.
    /// </summary>
    public new void WriteVerbose(string text)
    {
        var bound = MyInvocation.BoundParameters;
        if (!bound.ContainsKey("Verbose") && bound.TryGetValue("Debug", out var debug) && debug is SwitchParameter { IsPresent: true })
        {
            WriteDebug(text);
            return;
        }

        base.WriteVerbose(text);
    }

    /// <summary>Runs engine work, pumping its verbose/progress messages onto the pipeline; a failure is terminating.</summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> operation)
    {
        var (result, failure) = Execute(operation);
        if (failure is not null)
        {
            ThrowTerminatingError(failure);
        }

        return result!;
    }

    /// <summary>Like <see cref="Run{T}"/>, but a failure is written as a non-terminating error (one item of many).</summary>
    protected bool TryRun<T>(Func<CancellationToken, Task<T>> operation, out T result)
    {
        var (value, failure) = Execute(operation);
        if (failure is not null)
        {
            WriteError(failure);
        }

        result = value!;
        return failure is null;
    }

    private (T? Result, ErrorRecord? Failure) Execute<T>(Func<CancellationToken, Task<T>> operation)
    {
        var token = CancellationToken;
        Task<T> task;
        using (OperationLog.Use(log))
        {
            task = Task.Run(() => operation(token), token);
        }

        try
        {
            log.WriteUntil(task, this);
        }
        catch
        {
            // Writing a message failed (the host refused it, the pipeline stopped): the work must not go on unseen.
            cancellation?.Cancel();
            Settle(task);
            throw;
        }

        try
        {
            return (task.GetAwaiter().GetResult(), null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (GlobalUpgradeException ex)
        {
            return (default, ToErrorRecord(ex));
        }
        catch (Exception ex)
        {
            // A failure we did not foresee: still an ErrorRecord with its message, never a raw stack trace.
            return (default, new ErrorRecord(ex, ErrorIds.UnexpectedError, ErrorCategory.NotSpecified, null));
        }
    }

    private static void Settle(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch
        {
            // Its own failure, if any, is a consequence of the cancellation; the write's failure is reported.
        }
    }

    /// <summary>Runs quick synchronous engine logic (argument resolution) on the pipeline thread; a failure is terminating.</summary>
    protected T Require<T>(Func<T> resolve)
    {
        try
        {
            return resolve();
        }
        catch (GlobalUpgradeException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            throw; // not reached
        }
    }

    /// <summary>Runs a quick synchronous check (a request's Validate) on the pipeline thread; a failure is terminating.</summary>
    protected void Require(Action check) => Require(() =>
    {
        check();
        return true;
    });

    protected void Run(Func<CancellationToken, Task> operation) => Run<bool>(async ct =>
    {
        await operation(ct).ConfigureAwait(false);
        return true;
    });

    /// <summary>The one translation of an engine failure into an ErrorRecord (its id, category, and target unless another is given).</summary>
    internal static ErrorRecord ToErrorRecord(GlobalUpgradeException ex, object? target = null) =>
        new(ex, ex.ErrorId, ToCategory(ex.Category), target ?? ex.Target);

    protected void WriteFailure(GlobalUpgradeException ex) => WriteError(ToErrorRecord(ex));

    protected void ThrowFailure(string errorId, FailureCategory category, string message, object? target = null) =>
        ThrowTerminatingError(ToErrorRecord(new GlobalUpgradeException(errorId, category, message, target)));

    private static ErrorCategory ToCategory(FailureCategory category) =>
        Enum.TryParse<ErrorCategory>(category.ToString(), out var mapped) ? mapped : ErrorCategory.NotSpecified;
}
