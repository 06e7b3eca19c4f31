using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Session;

/// <summary>
/// What engine work may use besides its request, handed over explicitly (the cmdlet base creates one per command):
/// the state folder with its run stores, the [assumed] platform facts as the user corrected them, the clock, the
/// command's log and its connections to nodes. A rehearsal runs with a context of its own, so its records never mix
/// with the operator's. A copy (<c>with</c>) shares the log and the connections; the command disposes the original.
/// </summary>
public sealed record EngineContext : IDisposable
{
    private readonly Lazy<RemoteSessions> sessions = new(() => new RemoteSessions(), LazyThreadSafetyMode.ExecutionAndPublication);

    public EngineContext(string stateFolder, PlatformAssumptions assumptions, TimeProvider? clock = null, IOperationLog? log = null)
    {
        StateFolder = stateFolder;
        Assumptions = assumptions;
        Clock = clock ?? TimeProvider.System;
        Log = log ?? NullOperationLog.Instance;
    }

    public string StateFolder { get; }

    public PlatformAssumptions Assumptions { get; init; }

    public TimeProvider Clock { get; }

    /// <summary>Where the command's engine work reports (the cmdlet writes it on the pipeline thread).</summary>
    public IOperationLog Log { get; }

    /// <summary>
    /// The command's connections to nodes, one per node, opened when first asked for and closed when the command ends
    /// (<see cref="Dispose"/>): a run's start and its following, and the steps of a runbook, share one SSH login.
    /// </summary>
    public RemoteSessions Sessions => sessions.Value;

    /// <summary>The image sync runs, under <c>runs/</c>.</summary>
    public ImageSyncStore ImageSyncs => new(StateFolder);

    /// <summary>The Start-GlobalUpgrade runs, under <c>upgrades/</c>.</summary>
    public UpgradeRunStore Upgrades => new(StateFolder);

    /// <summary>Closes the connections the command opened (none when it opened none).</summary>
    public void Dispose()
    {
        if (sessions.IsValueCreated)
        {
            sessions.Value.Dispose();
        }
    }
}
