using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Tests.Remote;
using GlobalUpgrade.Upgrade;
using Xunit;

namespace GlobalUpgrade.Tests.Upgrade;

/// <summary>A run whose trigger never started tells the user what to run again: -Resume in a runbook, Start-GlobalUpgrade on its own.</summary>
public sealed class RetryAdviceTests
{
    [Theory]
    [InlineData(true, "-Resume", "Start-GlobalUpgrade")]
    [InlineData(false, "Start-GlobalUpgrade", "-Resume")]
    public async Task ANeverStartedTriggerSaysWhatToRunAgain(bool inRunbook, string says, string doesNotSay)
    {
        var folder = TestPaths.NewTempFolder();
        var store = new UpgradeRunStore(Path.Combine(folder, "state"));
        var run = new GlobalUpgradeRun
        {
            Id = "never-started",
            Cluster = "global",
            FromVersion = "v4.1.0",
            ToVersion = "v4.2.0",
            RequestedStage = UpgradeStage.All,
            Stage = UpgradeStage.Trigger,
            State = UpgradeRunState.Running,
        };
        store.Save(run);
        var options = new UpgradeWaitOptions { Target = RemoteTarget.Local, RetryAdvice = inRunbook ? UpgradeWaitOptions.RunbookRetryAdvice : UpgradeWaitOptions.StandaloneRetryAdvice };

        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => UpgradeService.ContinueAsync(run, options, store, CancellationToken.None));
        Assert.Equal(ErrorIds.UpgradeTriggerLost, ex.ErrorId);
        Assert.Contains(says, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(doesNotSay, ex.Message, StringComparison.Ordinal);
        Assert.Equal(UpgradeRunState.Failed, store.Get(run.Id).State);
        Directory.Delete(folder, true);
    }
}
