using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using Xunit;

namespace GlobalUpgrade.Tests.EtcdSync;

/// <summary>Each named wait of the synchronizer stops at its own budget (-Assumption), within what is left of the whole.</summary>
public sealed class WaitBudgetTests
{
    [Fact]
    public void APhaseWaitsItsOwnBudgetWhenTheWholeHasMoreLeft()
    {
        var details = PlatformAssumptions.From(new Dictionary<string, string?> { ["etcdsyncstarttimeout"] = "90s" }).EtcdSync;
        var budget = new WaitBudget(TimeSpan.FromHours(3), details);
        Assert.Equal(TimeSpan.FromSeconds(90), budget.For(EtcdSyncPhase.SyncStarted));
        Assert.True(budget.IsPhaseBound(EtcdSyncPhase.SyncStarted));
        Assert.Equal(new EtcdSyncWaitBudgets().PodReady, budget.For(EtcdSyncPhase.PodReady));
    }

    [Fact]
    public void APhaseNeverWaitsLongerThanWhatIsLeftOfTheWhole()
    {
        var budget = new WaitBudget(TimeSpan.FromSeconds(4), new EtcdSyncProfile());
        Assert.True(budget.For(EtcdSyncPhase.ModuleInfoRunning) <= TimeSpan.FromSeconds(4));
        Assert.False(budget.IsPhaseBound(EtcdSyncPhase.ModuleInfoRunning));
    }

    [Fact]
    public void APlainBudgetHasNoPhaseLimits()
    {
        var budget = new WaitBudget(TimeSpan.FromHours(3));
        Assert.True(budget.For(EtcdSyncPhase.SyncStarted) > TimeSpan.FromHours(2));
    }

    [Fact]
    public void TheInstallBudgetIsFarBelowTheRunbooksStepBudget()
    {
        var waits = new EtcdSyncWaitBudgets();
        Assert.True(waits.InstallTotal(hasBootstrapJob: true) < TimeSpan.FromHours(1));
        Assert.True(waits.InstallTotal(hasBootstrapJob: true) > waits.InstallTotal(hasBootstrapJob: false));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("soon")]
    public void ABudgetThatIsNotAPositiveDurationIsRefused(string value)
    {
        var refused = Assert.Throws<GlobalUpgradeException>(() => PlatformAssumptions.From(new Dictionary<string, string?> { ["EtcdSyncLeaseTimeout"] = value }));
        Assert.Equal(ErrorIds.InvalidProfileOverride, refused.ErrorId);
        Assert.Contains("EtcdSyncLeaseTimeout", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryBudgetIsAnAssumptionName()
    {
        foreach (var name in EtcdSyncWaitBudgets.Names)
        {
            Assert.Contains(name, PlatformAssumptions.Names);
        }
    }
}
