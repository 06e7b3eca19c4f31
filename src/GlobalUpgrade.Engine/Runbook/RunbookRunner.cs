using GlobalUpgrade.Errors;
using GlobalUpgrade.Runbook.Steps;
using GlobalUpgrade.Session;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// Runs a runbook's steps in order against its journal: steps already Succeeded or Skipped are not run again, the
/// journal is written before and after every step, and a failed step stops the run with its own message.
/// The cmdlet calls <see cref="RunGroupAsync"/> one group at a time, so confirmations and output happen on the
/// pipeline thread between groups.
/// </summary>
public sealed class RunbookRunner(RunbookRequest request, EngineContext engine, RunbookJournal journal, IReadOnlyList<RunbookStepDefinition> steps)
{
    public IReadOnlyList<RunbookStepDefinition> Steps => steps;

    /// <summary>The groups in order, each with its steps.</summary>
    public IReadOnlyList<IReadOnlyList<RunbookStepDefinition>> Groups =>
        steps.GroupBy(s => s.Group).Select(g => (IReadOnlyList<RunbookStepDefinition>)g.ToList()).ToList();

    public bool IsDone(RunbookStepDefinition step) => journal.Step(step.Name, step.Cluster).State is StepState.Succeeded or StepState.Skipped;

    /// <summary>Runs the steps of one group that are not done yet (concurrently) and returns the records of the whole group.</summary>
    public async Task<IReadOnlyList<RunbookStep>> RunGroupAsync(IReadOnlyList<RunbookStepDefinition> group, CancellationToken cancellationToken)
    {
        await Task.WhenAll(group.Where(s => !IsDone(s)).Select(s => RunStepAsync(s, cancellationToken))).ConfigureAwait(false);
        return group.Select(Record).ToList();
    }

    public RunbookStep Record(RunbookStepDefinition step) => ToRecord(journal.Step(step.Name, step.Cluster));

    private async Task RunStepAsync(RunbookStepDefinition definition, CancellationToken cancellationToken)
    {
        var entry = journal.Step(definition.Name, definition.Cluster);
        var resumed = entry.State is StepState.Running or StepState.Failed;
        journal.Update(_ =>
        {
            entry.State = StepState.Running;
            entry.StartedAt ??= DateTimeOffset.Now;
            entry.FinishedAt = null;
            entry.Attempts++;
            entry.Message = resumed ? "resumed" : "running";
        });
        engine.Log.Verbose($"Step {definition.Name} [{definition.Cluster}] {(resumed ? "resumes" : "starts")}.");
        StepOutcome outcome;
        try
        {
            // Preconditions first, every time: on a resume the journal alone is not proof.
            var context = new StepContext(request, engine, journal, entry, resumed);
            await definition.CheckPreconditionsAsync(context, cancellationToken).ConfigureAwait(false);
            outcome = await definition.RunAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the step stays Running in the journal; -Resume picks it up.
            throw;
        }
        catch (GlobalUpgradeException ex)
        {
            outcome = new StepOutcome(StepState.Failed, $"{ex.Message} [{ex.ErrorId}]");
        }
        catch (Exception ex)
        {
            outcome = new StepOutcome(StepState.Failed, $"{ex.Message} [{ErrorIds.UnexpectedError}]");
        }

        journal.Update(_ =>
        {
            entry.State = outcome.State;
            entry.FinishedAt = DateTimeOffset.Now;
            entry.Message = outcome.Message;
        });
    }

    private static RunbookStep ToRecord(JournalStep entry) => new()
    {
        Name = entry.Name,
        Cluster = entry.Cluster,
        State = entry.State,
        StartedAt = entry.StartedAt,
        FinishedAt = entry.FinishedAt,
        Message = entry.Message,
        Detail = entry.Outputs.Properties().ToDictionary(p => p.Name, p => (object?)p.Value.ToString(Newtonsoft.Json.Formatting.None)),
    };
}
