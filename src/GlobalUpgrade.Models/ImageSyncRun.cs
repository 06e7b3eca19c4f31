namespace GlobalUpgrade;

/// <summary>The state of an image sync (upgrade.sh --only-sync-image) running detached on a node.</summary>
public enum ImageSyncState
{
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
public sealed class ImageSyncRun
{
    public string Id { get; set; } = "";

    /// <summary>The global cluster the images were synced for (a connection name or a label).</summary>
    public string Cluster { get; set; } = "";

    /// <summary>The node the script runs on; the local machine's name for a local run.</summary>
    public string ComputerName { get; set; } = "";

    /// <summary>Local (this machine) or Ssh.</summary>
    public string Transport { get; set; } = "Local";

    public int Port { get; set; } = 22;

    public string? UserName { get; set; }

    /// <summary>The extracted package folder on the node.</summary>
    public string PackagePath { get; set; } = "";

    /// <summary>What identifies the package: its version file (when present) and the SHA-256 of upgrade.sh.</summary>
    public string? PackageIdentity { get; set; }

    /// <summary>The external registry, or null for the platform's built-in registry.</summary>
    public string? Registry { get; set; }

    public ImageSyncState State { get; set; }

    public int? ExitCode { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The local copy of the run's log (stdout and stderr of upgrade.sh).</summary>
    public string? LogPath { get; set; }

    /// <summary>The run folder on the node: cmd, log, pid, exit.</summary>
    public string RunFolder { get; set; } = "";

    /// <summary>Bytes of the node's log already copied to LogPath.</summary>
    public long LogOffset { get; set; }

    /// <summary>The last lines of the log when last seen.</summary>
    public string[] LastLines { get; set; } = [];

    /// <summary>Key file and host key settings used to reach the node (no secrets), reused when re-attaching.</summary>
    public string? KeyFilePath { get; set; }

    public string? KnownHostsPath { get; set; }

    public string? HostKeyFingerprint { get; set; }

    public TimeSpan? Duration => (FinishedAt ?? (State == ImageSyncState.Running ? DateTimeOffset.Now : null)) - StartedAt;
}
