using System.Net;

namespace GlobalUpgrade.Remote;

/// <summary>
/// Where and how to run commands: on this machine (no ComputerName) or on a node over SSH. The same options serve
/// every command that works on a node (image sync, upgrade, runbook).
/// </summary>
public sealed record RemoteTarget
{
    public static RemoteTarget Local { get; } = new();

    /// <summary>The node; null runs on this machine.</summary>
    public string? ComputerName { get; init; }

    public int Port { get; init; } = 22;

    /// <summary>The SSH user; defaults to the credential's user, else the local user name.</summary>
    public string? UserName { get; init; }

    /// <summary>Password authentication (and the user name) — never logged.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>A private key in OpenSSH/PEM/PuTTY format; its passphrase, if any, is the credential's password.</summary>
    public string? KeyFilePath { get; init; }

    /// <summary>known_hosts to verify the host key against; default ~/.ssh/known_hosts.</summary>
    public string? KnownHostsPath { get; init; }

    /// <summary>A pinned host key fingerprint ('SHA256:…'); when given, known_hosts is not consulted.</summary>
    public string? HostKeyFingerprint { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public bool IsLocal => string.IsNullOrEmpty(ComputerName);

    public string EffectiveUserName =>
        UserName is { Length: > 0 } user ? user
        : Credential?.UserName is { Length: > 0 } credentialUser ? credentialUser
        : Environment.UserName;

    public string DisplayName => IsLocal ? "this machine" : Port == 22 ? ComputerName! : $"{ComputerName}:{Port}";

    public static string DefaultKnownHostsPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts");

    /// <summary>The target a run was recorded with (a password is never recorded: pass the credential again).</summary>
    public static RemoteTarget FromRecord(RecordedRun run, NetworkCredential? credential = null) =>
        run.Transport == "Local"
            ? Local
            : new RemoteTarget
            {
                ComputerName = run.ComputerName,
                Port = run.Port,
                UserName = run.UserName,
                Credential = credential,
                KeyFilePath = run.KeyFilePath,
                KnownHostsPath = run.KnownHostsPath,
                HostKeyFingerprint = run.HostKeyFingerprint,
            };

    /// <summary>Writes this target into a run's record (everything but the credential).</summary>
    public void RecordInto(RecordedRun run)
    {
        run.ComputerName = IsLocal ? Environment.MachineName : ComputerName!;
        run.Transport = IsLocal ? "Local" : "Ssh";
        run.Port = Port;
        run.UserName = IsLocal ? Environment.UserName : EffectiveUserName;
        run.KeyFilePath = KeyFilePath;
        run.KnownHostsPath = KnownHostsPath;
        run.HostKeyFingerprint = HostKeyFingerprint;
    }
}
