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
                $"'{text}' is not an ACP version. Write it as major.minor[.patch] with numbers below {int.MaxValue}, e.g. 4.2 or v4.2.1.",
                text);

    public static bool TryParse(string? text, out PlatformVersion version)
    {
        version = null!;
        var match = text is null ? Match.Empty : Pattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        // Each number must fit: "v4.2.99999999999" is not a version, and must not become an overflow.
        static bool Number(Group group, out int value) =>
            int.TryParse(group.Success ? group.Value : "0", NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!Number(match.Groups["major"], out var major) || !Number(match.Groups["minor"], out var minor) || !Number(match.Groups["patch"], out var patch))
        {
            return false;
        }

        version = new PlatformVersion(major, minor, patch, text!.Trim());
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
