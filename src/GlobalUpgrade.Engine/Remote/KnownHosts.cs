using System.Security.Cryptography;
using System.Text;

namespace GlobalUpgrade.Remote;

/// <summary>What a known_hosts file says about a presented host key.</summary>
public enum HostKeyMatch
{
    /// <summary>An entry for this host carries exactly this key.</summary>
    Trusted,

    /// <summary>No entry for this host has a key of this type.</summary>
    Unknown,

    /// <summary>The host is listed with a different key of the same type, or the key is marked @revoked.</summary>
    Changed,
}

/// <summary>
/// An OpenSSH known_hosts file: plain and hashed (<c>|1|salt|hash</c>) host patterns, <c>[host]:port</c> forms,
/// wildcards and negations, and the <c>@revoked</c> marker (<c>@cert-authority</c> lines are skipped: host
/// certificates are not supported).
/// </summary>
public sealed class KnownHosts
{
    private readonly List<Entry> entries;

    private KnownHosts(List<Entry> entries) => this.entries = entries;

    public int Count => entries.Count;

    public static KnownHosts Empty { get; } = new([]);

    public static KnownHosts Load(string path) =>
        File.Exists(path) ? Parse(File.ReadAllLines(path)) : Empty;

    public static KnownHosts Parse(IEnumerable<string> lines)
    {
        var entries = new List<Entry>();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var marker = Marker.None;
            var index = 0;
            if (fields[0].StartsWith('@'))
            {
                marker = fields[0] switch
                {
                    "@revoked" => Marker.Revoked,
                    "@cert-authority" => Marker.CertificateAuthority,
                    _ => Marker.Unsupported,
                };
                index = 1;
            }

            if (marker is Marker.CertificateAuthority or Marker.Unsupported || fields.Length < index + 3)
            {
                continue;
            }

            byte[] key;
            try
            {
                key = Convert.FromBase64String(fields[index + 2]);
            }
            catch (FormatException)
            {
                continue; // A damaged line does not make the others untrustworthy; OpenSSH skips it too.
            }

            entries.Add(new Entry(marker, fields[index].Split(','), fields[index + 1], key));
        }

        return new KnownHosts(entries);
    }

    /// <summary>Looks a presented key (its SSH wire-format blob) up for a host and port.</summary>
    public HostKeyMatch Check(string host, int port, byte[] keyBlob)
    {
        var keyType = SshKeyBlob.KeyType(keyBlob);
        var names = HostNames(host, port);
        var sameTypeListed = false;
        var trusted = false;
        foreach (var entry in entries)
        {
            if (!entry.Matches(names))
            {
                continue;
            }

            var sameKey = entry.Key.AsSpan().SequenceEqual(keyBlob);
            if (entry.Marker == Marker.Revoked)
            {
                if (sameKey)
                {
                    return HostKeyMatch.Changed;
                }

                continue;
            }

            if (sameKey)
            {
                trusted = true;
            }
            else if (string.Equals(SshKeyBlob.KeyType(entry.Key), keyType, StringComparison.Ordinal))
            {
                sameTypeListed = true;
            }
        }

        return trusted ? HostKeyMatch.Trusted : sameTypeListed ? HostKeyMatch.Changed : HostKeyMatch.Unknown;
    }

    /// <summary>The names OpenSSH looks up: 'host' on port 22, '[host]:port' otherwise.</summary>
    private static string[] HostNames(string host, int port) =>
        port == 22 ? [host.ToLowerInvariant()] : [$"[{host.ToLowerInvariant()}]:{port}"];

    /// <summary>The line to append to known_hosts to trust a key.</summary>
    public static string FormatLine(string host, int port, byte[] keyBlob) =>
        $"{HostNames(host, port)[0]} {SshKeyBlob.KeyType(keyBlob)} {Convert.ToBase64String(keyBlob)}";

    private enum Marker
    {
        None,
        Revoked,
        CertificateAuthority,
        Unsupported,
    }

    private sealed record Entry(Marker Marker, string[] Patterns, string KeyType, byte[] Key)
    {
        public bool Matches(string[] names)
        {
            foreach (var name in names)
            {
                var positive = false;
                foreach (var pattern in Patterns)
                {
                    var negated = pattern.StartsWith('!');
                    var body = negated ? pattern[1..] : pattern;
                    if (!PatternMatches(body, name))
                    {
                        continue;
                    }

                    if (negated)
                    {
                        positive = false;
                        break;
                    }

                    positive = true;
                }

                if (positive)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool PatternMatches(string pattern, string name)
        {
            if (pattern.StartsWith("|1|", StringComparison.Ordinal))
            {
                var parts = pattern.Split('|');
                if (parts.Length != 4)
                {
                    return false;
                }

                try
                {
                    var salt = Convert.FromBase64String(parts[2]);
                    var expected = Convert.FromBase64String(parts[3]);
#pragma warning disable CA5350 // OpenSSH defines hashed known_hosts names as HMAC-SHA1; this only matches names.
                    var actual = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
#pragma warning restore CA5350
                    return CryptographicOperations.FixedTimeEquals(actual, expected);
                }
                catch (FormatException)
                {
                    return false;
                }
            }

            return Wildcard(pattern.ToLowerInvariant(), name);
        }

        private static bool Wildcard(string pattern, string text)
        {
            // OpenSSH's match_pattern: '*' any run, '?' one character.
            int p = 0, t = 0, star = -1, mark = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
                {
                    p++;
                    t++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    star = p++;
                    mark = t;
                }
                else if (star >= 0)
                {
                    p = star + 1;
                    t = ++mark;
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }
    }
}

/// <summary>Reads an SSH public key blob (RFC 4253 wire format) and fingerprints it the way ssh-keygen -l does.</summary>
public static class SshKeyBlob
{
    public static string KeyType(byte[] blob)
    {
        if (blob.Length < 4)
        {
            return "";
        }

        var length = (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3];
        return length > 0 && length <= blob.Length - 4 ? Encoding.ASCII.GetString(blob, 4, length) : "";
    }

    /// <summary>'SHA256:' + unpadded base64 of the blob's SHA-256.</summary>
    public static string Fingerprint(byte[] blob) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    /// <summary>Compares a fingerprint a user typed ('SHA256:abc…' or 'abc…', padded or not) with a key.</summary>
    public static bool FingerprintMatches(string pinned, byte[] blob)
    {
        var value = pinned.Trim();
        if (value.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
        {
            value = value[7..];
        }

        return string.Equals(value.TrimEnd('='), Fingerprint(blob)[7..], StringComparison.Ordinal);
    }
}
