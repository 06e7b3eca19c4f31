using System.Diagnostics;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// One time limit shared by the steps of an install, uninstall or restart; with the synchronizer's
/// <see cref="EtcdSyncProfile"/>, each named wait also stops at its own budget (<see cref="EtcdSyncWaitBudgets"/>).
/// </summary>
public sealed class WaitBudget(TimeSpan total, EtcdSyncProfile? details = null)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public TimeSpan Total => total;

    /// <summary>The synchronizer whose waits these are (names, phase budgets); null for a plain time limit.</summary>
    public EtcdSyncProfile? Details => details;

    /// <summary>What is left (at least a second, so the step that runs out reports itself as the one that timed out).</summary>
    public TimeSpan Remaining => total - clock.Elapsed is var left && left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);

    /// <summary>How long a phase's wait may take: its own budget, within what is left of the whole.</summary>
    public TimeSpan For(EtcdSyncPhase phase) => details is null || details.Waits.Of(phase) >= Remaining ? Remaining : details.Waits.Of(phase);

    /// <summary>True when <see cref="For"/> gives the phase's own budget (not what was left of the whole).</summary>
    public bool IsPhaseBound(EtcdSyncPhase phase) => details is not null && details.Waits.Of(phase) < Remaining;
}
