namespace GlobalUpgrade;

/// <summary>
/// What every locally recorded detached run (an image sync, an upgrade) keeps to find its node again and to go on
/// copying its log: the recorded target (never a password) and how far the local copy got. Saved as flat JSON
/// fields, so records written before this type existed read unchanged.
/// </summary>
public abstract class RecordedRun
{
    public string Id { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>The node the script runs on; the local machine's name for a local run.</summary>
    public string ComputerName { get; set; } = "";

    /// <summary>Local (this machine) or Ssh.</summary>
    public string Transport { get; set; } = "Local";

    public int Port { get; set; } = 22;

    public string? UserName { get; set; }

    /// <summary>Key file and host key settings used to reach the node (no secrets), reused when re-attaching.</summary>
    public string? KeyFilePath { get; set; }

    public string? KnownHostsPath { get; set; }

    public string? HostKeyFingerprint { get; set; }

    /// <summary>The local copy of the run's log (secrets masked).</summary>
    public string? LogPath { get; set; }

    /// <summary>Bytes of the node's log already copied to LogPath.</summary>
    public long LogOffset { get; set; }

    /// <summary>The last lines of the log when last seen (secrets masked).</summary>
    public string[] LastLines { get; set; } = [];
}
