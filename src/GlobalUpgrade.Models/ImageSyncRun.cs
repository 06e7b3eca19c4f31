namespace GlobalUpgrade;

/// <summary>The state of an image sync (upgrade.sh --only-sync-image) running detached on a node.</summary>
public enum ImageSyncState
{
    /// <summary>Recorded, not yet seen started on the node: a resume asks the node whether it ever started.</summary>
    Starting = -1,

    /// <summary>The command is running on the node (or was when last seen).</summary>
    Running,

    /// <summary>The command ended with exit code 0.</summary>
    Succeeded,

    /// <summary>The command ended with a non-zero exit code.</summary>
    Failed,

    /// <summary>The command is gone without having written its exit code (node rebooted, process killed).</summary>
    Lost,
}

/// <summary>
/// One run of <c>bash upgrade.sh --only-sync-image=true</c> on a node. Holds nothing secret: it is saved as JSON
/// in the local state folder so that Get-/Wait-GlobalImageSync find and re-attach to it.
/// </summary>
public sealed class ImageSyncRun : RecordedRun
{
    /// <summary>The global cluster the images were synced for (a connection name or a label).</summary>
    public string Cluster { get; set; } = "";

    /// <summary>The extracted package folder on the node.</summary>
    public string PackagePath { get; set; } = "";

    /// <summary>What identifies the package: its version file (when present) and the SHA-256 of upgrade.sh.</summary>
    public string? PackageIdentity { get; set; }

    /// <summary>The external registry, or null for the platform's built-in registry.</summary>
    public string? Registry { get; set; }

    public ImageSyncState State { get; set; }

    public int? ExitCode { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The run folder on the node: cmd, log, pid, exit.</summary>
    public string RunFolder { get; set; } = "";

    public TimeSpan? Duration => (FinishedAt ?? (State is ImageSyncState.Running or ImageSyncState.Starting ? DateTimeOffset.Now : null)) - StartedAt;
}
