using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Runbook.Steps;
using GlobalUpgrade.Session;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>A runbook bound to its journal: new, or resumed with the same inputs.</summary>
public sealed class RunbookSession : IDisposable
{
    private RunbookSession(RunbookJournal journal, RunbookRunner runner, EngineContext engine)
    {
        Journal = journal;
        Runner = runner;
        Engine = engine;
    }

    public RunbookJournal Journal { get; }

    /// <summary>The engine context the steps run with: its assumptions are those the journal records.</summary>
    public EngineContext Engine { get; }

    public RunbookRunner Runner { get; }

    /// <summary>The default journal: in the current folder, named after the clusters and the target.</summary>
    public static string DefaultJournalName(RunbookRequest request) =>
        $"globalupgrade-{request.Primary.Name}{(request.Standby is null ? "" : "-" + request.Standby.Name)}-{request.TargetVersion}.journal.json";

    /// <summary>
    /// The assumptions a run uses: those its journal recorded (a resume without -Assumption keeps them), with the ones
    /// given now on top.
    /// </summary>
    public static PlatformAssumptions AssumptionsOf(PlatformAssumptions given, JournalDocument? journal) =>
        journal is null ? given : PlatformAssumptions.From(journal.Assumptions.ToObject<Dictionary<string, string?>>()).With(given.Overrides.ToDictionary(o => o.Key, o => (string?)o.Value));

    public static async Task<RunbookSession> OpenAsync(RunbookRequest request, EngineContext engine, string journalPath, bool resume, bool force, CancellationToken cancellationToken)
    {
        RunbookJournal journal;
        if (resume)
        {
            journal = RunbookJournal.Open(journalPath);
            var inputs = request.DescribeInputs();
            if (journal.Document.InputsDigest != RunbookJournal.Digest(inputs) && !force)
            {
                // Both sides' names: an input given before and left out now (back to its default) is a change too.
                var recorded = journal.Document.Inputs;
                var changed = recorded.Properties().Select(p => p.Name).Union(inputs.Properties().Select(p => p.Name))
                    .Where(name => !Equals(recorded[name]?.ToString(), inputs[name]?.ToString()))
                    .Select(name => $"{name}: '{recorded[name]}' → '{inputs[name]}'");
                journal.Dispose();
                throw new GlobalUpgradeException(ErrorIds.JournalInputsChanged, FailureCategory.InvalidArgument,
                    $"The journal '{journalPath}' was written for other inputs ({string.Join("; ", changed)}). Resume with the same parameters, or add -Force if the change is intended.", journalPath);
            }
        }
        else
        {
            if (File.Exists(journalPath))
            {
                throw new GlobalUpgradeException(ErrorIds.JournalExists, FailureCategory.ResourceExists,
                    $"The journal '{journalPath}' already exists: an earlier run of this upgrade. Continue it with -Resume, or give a new -JournalPath.", journalPath);
            }

            var source = await PlatformVersionReader.ReadAsync(request.Standby ?? request.Primary, cancellationToken).ConfigureAwait(false);
            journal = RunbookJournal.Create(journalPath, UpgradeRunbooks.NewJournal(request, StepsOf(request, source), source));
        }

        engine = engine with { Assumptions = AssumptionsOf(engine.Assumptions, resume ? journal.Document : null) };
        journal.Update(d => d.Assumptions = JObject.FromObject(engine.Assumptions.Overrides));
        return new RunbookSession(journal, new RunbookRunner(request, engine, journal, StepsOf(request, journal.Document.SourceVersion)), engine);
    }

    /// <summary>The steps of the request's runbook; the version the clusters ran when it began decides where the synchronizer lives.</summary>
    public static IReadOnlyList<RunbookStepDefinition> StepsOf(RunbookRequest request, string sourceVersion) =>
        UpgradeRunbooks.Define(RunbookShape.Of(request, PlatformProfile.For(PlatformVersion.Parse(sourceVersion))));

    public void Dispose() => Journal.Dispose();
}
