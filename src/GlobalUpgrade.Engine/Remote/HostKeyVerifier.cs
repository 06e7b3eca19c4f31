using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Remote;

/// <summary>The verdict on a presented host key, with what the user needs to act on a refusal.</summary>
public sealed record HostKeyDecision(bool Trusted, HostKeyMatch Match, string Fingerprint, string KeyType, string How, string KnownHostsLine, string? KnownHostsPath)
{
    public GlobalUpgradeException ToException(RemoteTarget target)
    {
        var host = target.DisplayName;
        var scan = target.Port == 22 ? $"ssh-keyscan -t {ShortType} {target.ComputerName}" : $"ssh-keyscan -t {ShortType} -p {target.Port} {target.ComputerName}";
        var check = $"Compare it with 'ssh-keygen -lf /etc/ssh/ssh_host_{ShortType}_key.pub' run on the node itself";
        if (Match == HostKeyMatch.Changed)
        {
            var where = KnownHostsPath is null ? "the pinned -HostKeyFingerprint" : $"'{KnownHostsPath}'";
            return new GlobalUpgradeException(ErrorIds.HostKeyChanged, FailureCategory.SecurityError,
                $"The host key of {host} has CHANGED: it presented {KeyType} key {Fingerprint}, which does not match {where}. " +
                $"Someone may be intercepting the connection, or the node was reinstalled. {check}; only if it matches, " +
                $"remove the old entry (ssh-keygen -R {(target.Port == 22 ? target.ComputerName : $"'[{target.ComputerName}]:{target.Port}'")}) " +
                $"and trust the new key with -HostKeyFingerprint '{Fingerprint}' or by adding it to known_hosts.",
                target.ComputerName);
        }

        return new GlobalUpgradeException(ErrorIds.HostKeyUnknown, FailureCategory.SecurityError,
            $"The host key of {host} is not known: it presented {KeyType} key {Fingerprint}, and '{KnownHostsPath}' has no entry for it. " +
            $"{check}; if it matches, trust it with -HostKeyFingerprint '{Fingerprint}', or add it to known_hosts " +
            $"('{scan} >> ~/.ssh/known_hosts', then check the line with ssh-keygen -lf).",
            target.ComputerName);
    }

    private string ShortType => KeyType switch
    {
        "ssh-ed25519" => "ed25519",
        "ssh-rsa" => "rsa",
        _ when KeyType.StartsWith("ecdsa", StringComparison.Ordinal) => "ecdsa",
        _ => KeyType,
    };
}

/// <summary>Decides whether a host key is trusted: a pinned fingerprint when given, otherwise known_hosts.</summary>
public static class HostKeyVerifier
{
    public static HostKeyDecision Check(RemoteTarget target, byte[] keyBlob)
    {
        var fingerprint = SshKeyBlob.Fingerprint(keyBlob);
        var keyType = SshKeyBlob.KeyType(keyBlob);
        var line = KnownHosts.FormatLine(target.ComputerName!, target.Port, keyBlob);
        if (!string.IsNullOrWhiteSpace(target.HostKeyFingerprint))
        {
            var pinned = SshKeyBlob.FingerprintMatches(target.HostKeyFingerprint, keyBlob);
            return new HostKeyDecision(pinned, pinned ? HostKeyMatch.Trusted : HostKeyMatch.Changed, fingerprint, keyType, "pinned fingerprint", line, null);
        }

        var path = target.KnownHostsPath ?? RemoteTarget.DefaultKnownHostsPath;
        KnownHosts knownHosts;
        try
        {
            knownHosts = KnownHosts.Load(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            knownHosts = KnownHosts.Empty;
        }

        var match = knownHosts.Check(target.ComputerName!, target.Port, keyBlob);
        return new HostKeyDecision(match == HostKeyMatch.Trusted, match, fingerprint, keyType, $"known_hosts '{path}'", line, path);
    }
}
