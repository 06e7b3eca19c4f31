using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>What a running step may use: its journal entry (outputs survive a crash) and the action ledger.</summary>
public sealed class StepContext
{
    internal StepContext(RunbookJournal journal, JournalStep step, bool resumed)
    {
        Journal = journal;
        Step = step;
        Resumed = resumed;
    }

    public RunbookJournal Journal { get; }

    public JournalStep Step { get; }

    /// <summary>True when this step had started before (a crash or a failure) and now runs again.</summary>
    public bool Resumed { get; }

    public JToken? Output(string key) => Step.Outputs[key];

    /// <summary>Saves an output at once (e.g. a detached run id), so a resumed step re-attaches instead of starting again.</summary>
    public void SetOutput(string key, JToken value) => Journal.Update(_ => Step.Outputs[key] = value);

    /// <summary>Records a change-making action before it is issued; true when it had already been issued.</summary>
    public bool Issue(string action)
    {
        var key = $"{Step.Name}[{Step.Cluster}]";
        if (Journal.HasAction(key, action))
        {
            return true;
        }

        Journal.RecordAction(key, action);
        return false;
    }
}

/// <summary>How a step ended.</summary>
public sealed record StepOutcome(StepState State, string Message)
{
    public static StepOutcome Succeeded(string message) => new(StepState.Succeeded, message);

    public static StepOutcome Skipped(string message) => new(StepState.Skipped, message);
}

/// <summary>One step of a runbook: what it is called, where it works, how long it usually takes, and what it does.</summary>
public sealed record StepDefinition(string Name, string Cluster, TimeSpan Estimate, Func<StepContext, CancellationToken, Task<StepOutcome>> Run)
{
    /// <summary>Steps of one group run concurrently (image sync of both clusters).</summary>
    public string Group { get; init; } = Name;
}
