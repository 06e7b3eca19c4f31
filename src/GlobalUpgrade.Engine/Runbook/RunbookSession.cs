using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Runbook;

/// <summary>A runbook bound to its journal: new, or resumed with the same inputs.</summary>
public sealed class RunbookSession : IDisposable
{
    private RunbookSession(RunbookJournal journal, RunbookRunner runner)
    {
        Journal = journal;
        Runner = runner;
    }

    public RunbookJournal Journal { get; }

    public RunbookRunner Runner { get; }

    /// <summary>The default journal: in the current folder, named after the clusters and the target.</summary>
    public static string DefaultJournalName(RunbookRequest request) =>
        $"globalupgrade-{request.Primary.Name}{(request.Standby is null ? "" : "-" + request.Standby.Name)}-{request.TargetVersion}.journal.json";

    public static async Task<RunbookSession> OpenAsync(RunbookRequest request, string journalPath, bool resume, bool force, IReadOnlyDictionary<string, TimeSpan>? estimates, CancellationToken cancellationToken)
    {
        RunbookJournal journal;
        if (resume)
        {
            journal = RunbookJournal.Open(journalPath);
            var inputs = request.DescribeInputs();
            if (journal.Document.InputsDigest != RunbookJournal.Digest(inputs) && !force)
            {
                var changed = inputs.Properties().Where(p => !Equals(journal.Document.Inputs[p.Name]?.ToString(), p.Value.ToString())).Select(p => $"{p.Name}: '{journal.Document.Inputs[p.Name]}' → '{p.Value}'");
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
            var steps = UpgradeRunbooks.Build(request, PlatformProfile.For(PlatformVersion.Parse(source)), estimates);
            var document = UpgradeRunbooks.NewJournal(request, steps);
            document.SourceVersion = source;
            journal = RunbookJournal.Create(journalPath, document);
        }

        var definitions = UpgradeRunbooks.Build(request, PlatformProfile.For(PlatformVersion.Parse(journal.Document.SourceVersion)), estimates);
        return new RunbookSession(journal, new RunbookRunner(journal, definitions));
    }

    public void Dispose() => Journal.Dispose();
}
