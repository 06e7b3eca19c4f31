using System.Net;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.ImageSync;

public sealed record ImageSyncRequest
{
    public required RemoteTarget Target { get; init; }

    public required string Cluster { get; init; }

    /// <summary>The extracted package folder on the node (holds upgrade.sh).</summary>
    public required string PackagePath { get; init; }

    /// <summary>An external registry; null syncs to the platform's built-in registry.</summary>
    public string? Registry { get; init; }

    public NetworkCredential? RegistryCredential { get; init; }

    /// <summary>Adds upgrade.sh --skip-check-artifacts (4.3+ packages only, see Platform.UpgradeScriptFlags).</summary>
    public bool SkipCheckArtifacts { get; init; }

    /// <summary>The local copy of the log; default in the state folder (over SSH), none on this machine.</summary>
    public string? LogPath { get; init; }

    /// <summary>
    /// Over SSH, false follows the run by its tail only (progress and the last lines; the full log stays in the run
    /// folder on the node): nothing but a few KB per progress tick crosses the network. Ignored with <see cref="LogPath"/>.
    /// </summary>
    public bool CopyLog { get; init; } = true;

    /// <summary>Where the run folders live on the node.</summary>
    public string RunRoot { get; init; } = DetachedRun.DefaultRoot;
}

public sealed record FollowOptions
{
    public static readonly string DefaultProgressPattern = ImageSyncProgress.DefaultPattern;

    public string ProgressPattern { get; init; } = DefaultProgressPattern;

    public TimeSpan? Timeout { get; init; }

    /// <summary>Values masked in everything shown or saved here (the node masks the secrets it was given, whoever follows).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
