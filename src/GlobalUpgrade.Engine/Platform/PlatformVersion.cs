using System.Globalization;
using System.Text.RegularExpressions;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Platform;

/// <summary>An ACP version as ProductBase reports it ("v4.1.0", "4.1", "v4.2.1-hotfix.3"), compared by its numbers.</summary>
public sealed partial record PlatformVersion(int Major, int Minor, int Patch, string Text) : IComparable<PlatformVersion>
{
    /// <summary>"4.1": the release line upgrade paths are published for.</summary>
    public string Line => $"{Major}.{Minor}";

    public static PlatformVersion Parse(string text) =>
        TryParse(text, out var version)
            ? version
            : throw new GlobalUpgradeException(
                ErrorIds.InvalidPlatformVersion,
                FailureCategory.InvalidArgument,
                $"'{text}' is not an ACP version. Write it as major.minor[.patch], e.g. 4.2 or v4.2.1.",
                text);

    public static bool TryParse(string? text, out PlatformVersion version)
    {
        var match = text is null ? Match.Empty : Pattern().Match(text.Trim());
        if (!match.Success)
        {
            version = null!;
            return false;
        }

        version = new PlatformVersion(
            int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["minor"].Value, CultureInfo.InvariantCulture),
            match.Groups["patch"].Success ? int.Parse(match.Groups["patch"].Value, CultureInfo.InvariantCulture) : 0,
            text!.Trim());
        return true;
    }

    public bool IsAtLeast(int major, int minor, int patch = 0) => CompareTo(new PlatformVersion(major, minor, patch, "")) >= 0;

    public int CompareTo(PlatformVersion? other) =>
        other is null ? 1 : (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));

    public static bool operator <(PlatformVersion left, PlatformVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(PlatformVersion left, PlatformVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(PlatformVersion left, PlatformVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PlatformVersion left, PlatformVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => Text;

    [GeneratedRegex(@"^v?(?<major>\d+)\.(?<minor>\d+)(\.(?<patch>\d+))?([-+.].*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
