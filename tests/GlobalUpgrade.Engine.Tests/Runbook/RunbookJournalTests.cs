using GlobalUpgrade.Errors;
using GlobalUpgrade.Runbook;
using Newtonsoft.Json.Linq;
using Xunit;

namespace GlobalUpgrade.Tests.Runbook;

public sealed class RunbookJournalTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("gu-journal-").FullName;

    private string JournalPath => Path.Combine(folder, "upgrade.journal.json");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void WritesEveryChangeAndReadsItBack()
    {
        using (var journal = RunbookJournal.Create(JournalPath, NewDocument()))
        {
            journal.Update(d => d.Steps[0].State = StepState.Succeeded);
        }

        var read = RunbookJournal.Read(JournalPath);
        Assert.Equal(StepState.Succeeded, read.Steps[0].State);
        Assert.Equal(StepState.Pending, read.Steps[1].State);
        Assert.False(File.Exists(JournalPath + ".tmp"), "the temp file is renamed over the journal");
        Assert.Contains("\"Succeeded\"", File.ReadAllText(JournalPath), StringComparison.Ordinal);
    }

    [Fact]
    public void AJournalWrittenWithTheOldActionLedgerStillReads()
    {
        RunbookJournal.Create(JournalPath, NewDocument()).Dispose();
        var old = JObject.Parse(File.ReadAllText(JournalPath));
        old["actions"] = new JArray(new JObject { ["step"] = "ImageSync[primary]", ["action"] = "started run 42", ["at"] = "2026-01-01T00:00:00+00:00" });
        File.WriteAllText(JournalPath, old.ToString());

        var read = RunbookJournal.Read(JournalPath);
        Assert.Equal(StepState.Pending, read.Steps[0].State);
    }

    [Fact]
    public void TwoRunbooksCannotShareAJournal()
    {
        using var first = RunbookJournal.Create(JournalPath, NewDocument());
        var ex = Assert.Throws<GlobalUpgradeException>(() => RunbookJournal.Open(JournalPath));
        Assert.Equal(ErrorIds.JournalLocked, ex.ErrorId);
    }

    [Fact]
    public void ALockIsReleasedWhenTheRunbookEnds()
    {
        RunbookJournal.Create(JournalPath, NewDocument()).Dispose();
        using var again = RunbookJournal.Open(JournalPath);
        Assert.Equal("v4.2.0", again.Document.TargetVersion);
    }

    [Fact]
    public void AnExistingJournalIsNotOverwritten()
    {
        RunbookJournal.Create(JournalPath, NewDocument()).Dispose();
        Assert.Equal(ErrorIds.JournalExists, Assert.Throws<GlobalUpgradeException>(() => RunbookJournal.Create(JournalPath, NewDocument())).ErrorId);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.1)]
    [InlineData(0.0)]
    public void ATruncatedJournalIsAnErrorNeverARestart(double keep)
    {
        RunbookJournal.Create(JournalPath, NewDocument()).Dispose();
        var text = File.ReadAllText(JournalPath);
        File.WriteAllText(JournalPath, text[..(int)(text.Length * keep)]);
        var ex = Assert.Throws<GlobalUpgradeException>(() => RunbookJournal.Open(JournalPath));
        Assert.Equal(ErrorIds.JournalCorrupt, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidData, ex.Category);
        Assert.Contains(JournalPath, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AJournalWithoutItsDigestIsDamaged()
    {
        File.WriteAllText(JournalPath, """{"format":1,"runbook":"GlobalDrUpgrade","steps":[{"name":"Preflight"}]}""");
        Assert.Equal(ErrorIds.JournalCorrupt, Assert.Throws<GlobalUpgradeException>(() => RunbookJournal.Read(JournalPath)).ErrorId);
    }

    [Fact]
    public void TheInputsDigestIgnoresPropertyOrderButNotValues()
    {
        var a = JObject.Parse("""{"target":"4.2","package":"/pkg","clusters":{"standby":"s","primary":"p"}}""");
        var b = JObject.Parse("""{"clusters":{"primary":"p","standby":"s"},"package":"/pkg","target":"4.2"}""");
        var c = JObject.Parse("""{"clusters":{"primary":"p","standby":"s"},"package":"/other","target":"4.2"}""");
        Assert.Equal(RunbookJournal.Digest(a), RunbookJournal.Digest(b));
        Assert.NotEqual(RunbookJournal.Digest(a), RunbookJournal.Digest(c));
    }

    private static JournalDocument NewDocument()
    {
        var inputs = JObject.Parse("""{"target":"v4.2.0","package":"/pkg"}""");
        return new JournalDocument
        {
            Runbook = "GlobalDrUpgrade",
            TargetVersion = "v4.2.0",
            Inputs = inputs,
            InputsDigest = RunbookJournal.Digest(inputs),
            Steps =
            [
                new JournalStep { Name = "Preflight", Cluster = "primary,standby" },
                new JournalStep { Name = "ImageSync", Cluster = "standby" },
            ],
        };
    }
}
