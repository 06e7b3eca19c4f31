using System.Text.RegularExpressions;

namespace GlobalUpgrade.Upgrade;

/// <summary>The version an upgrade package says it installs, read from its identity (see ImageSync.UpgradePackage).</summary>
public static partial class PackageVersion
{
    /// <summary>The version in a package identity ("version=v4.3.0 package=… upgrade.sh-sha256=…"); null when unknown.</summary>
    public static string? FromIdentity(string identity)
    {
        var match = VersionPattern().Match(identity);
        return match.Success && match.Groups[1].Value != "unknown" ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"(?:^|\s)version=(\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
