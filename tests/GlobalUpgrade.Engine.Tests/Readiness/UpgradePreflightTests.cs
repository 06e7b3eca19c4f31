using GlobalUpgrade.Errors;
using GlobalUpgrade.Readiness;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Runbook;
using GlobalUpgrade.Tests.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

/// <summary>upgrade.sh --preflight run on a node (here: this machine) whose output the module cannot read.</summary>
public sealed class UpgradePreflightTests
{
    private const string TableLayout = "PREFLIGHT RESULT: PASSED\nCHECK                      STATE\nClusterRunning             Passed\n";

    private static async Task<IReadOnlyList<CheckResult>> RunAsync(string printed, int exitCode)
    {
        var folder = TestPaths.NewTempFolder();
        try
        {
            File.WriteAllText(Path.Combine(folder, "upgrade.sh"), $"[ \"$1\" = --preflight ] || exit 2\ncat <<'OUT'\n{printed}OUT\nexit {exitCode}\n");
            File.WriteAllText(Path.Combine(folder, "version"), "v4.3.0\n");
            return await UpgradePreflight.RunAsync(RemoteTarget.Local, folder, "global/preflight", CancellationToken.None);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public async Task AnUnknownLayoutWithExitCodeZeroIsNotCheckedWithWhatWasPrinted()
    {
        var results = await RunAsync(TableLayout, 0);
        var summary = Assert.Single(results, r => r.Check == ReadinessCheckNames.PreflightSummary);
        Assert.Equal(CheckState.NotChecked, summary.State);
        Assert.False(summary.Passed);
        Assert.True(UpgradePreflight.IsUnreadable(summary));
        Assert.Contains("PREFLIGHT RESULT: PASSED", summary.Actual, StringComparison.Ordinal);
        Assert.Contains("-SkipReadinessCheck PreflightSummary", summary.Message, StringComparison.Ordinal);
        Assert.All(results, r => Assert.Equal(CheckState.NotChecked, r.State));
        Assert.Equal(CvoPreflight.DocumentedChecks, results.Where(r => r != summary).Select(r => r.Check));
    }

    [Fact]
    public async Task AnUnreadableOutputBlocksTheTriggerUntilWaivedByName()
    {
        var summary = (await RunAsync(TableLayout, 0)).Single(r => r.Check == ReadinessCheckNames.PreflightSummary);
        Assert.True(PackagePreflightGate.Blocks(summary));
        Assert.True(PackagePreflightGate.Blocks(ReadinessGate.Waive(summary, ["ResourcePatchUpgradeable"])));
        var waived = ReadinessGate.Waive(summary, [ReadinessCheckNames.PreflightSummary]);
        Assert.False(PackagePreflightGate.Blocks(waived));
        Assert.True(ReadinessGate.IsWaived(waived));
        Assert.Equal(CheckState.NotChecked, waived.State);
    }

    [Fact]
    public async Task AnUnreadableOutputWithAFailingExitCodeIsAFailedRun() =>
        Assert.Equal(ErrorIds.PreflightFailedToRun, (await Assert.ThrowsAsync<GlobalUpgradeException>(() => RunAsync(TableLayout, 3))).ErrorId);
}
