using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Session;

/// <summary>
/// What engine work may use besides its request, handed over explicitly (the cmdlet base creates one per command):
/// the state folder with its run stores, the [assumed] platform facts as the user corrected them, and the clock.
/// A rehearsal runs with a context of its own, so its records never mix with the operator's.
/// </summary>
public sealed record EngineContext
{
    public EngineContext(string stateFolder, PlatformAssumptions assumptions, TimeProvider? clock = null)
    {
        StateFolder = stateFolder;
        Assumptions = assumptions;
        Clock = clock ?? TimeProvider.System;
    }

    public string StateFolder { get; }

    public PlatformAssumptions Assumptions { get; init; }

    public TimeProvider Clock { get; }

    /// <summary>The image sync runs, under <c>runs/</c>.</summary>
    public ImageSyncStore ImageSyncs => new(StateFolder);

    /// <summary>The Start-GlobalUpgrade runs, under <c>upgrades/</c>.</summary>
    public UpgradeRunStore Upgrades => new(StateFolder);
}
