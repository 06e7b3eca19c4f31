namespace GlobalUpgrade.Platform;

/// <summary>
/// The upgrade paths ACP supports [doc: docs/en/upgrade/pre-upgrade.mdx per release branch]: target line →
/// the lines it can be reached from. Anything else is refused before any change is made.
/// </summary>
public static class UpgradePaths
{
    private static readonly Dictionary<string, string[]> SupportedSources = new(StringComparer.Ordinal)
    {
        ["4.0"] = ["3.16", "3.18"],
        ["4.1"] = ["3.18", "4.0"],
        ["4.2"] = ["4.0", "4.1"],
        ["4.3"] = ["4.0", "4.1", "4.2"],
    };

    /// <summary>
    /// Lines the docs describe but publish no upgrade path to yet: an upgrade to them is refused (the callers' stable id
    /// UnsupportedUpgradePath), while readiness toward them can already be checked. 4.4: [doc master PRE "Supported
    /// upgrade paths"] still lists only the three paths to 4.3.
    /// </summary>
    private static readonly Dictionary<string, string> Unpublished = new(StringComparer.Ordinal)
    {
        ["4.4"] = "master docs/en/upgrade/pre-upgrade.mdx \"Supported upgrade paths\" lists only the paths to 4.3",
    };

    public static IReadOnlyDictionary<string, string[]> Table => SupportedSources;

    /// <summary>Whether the docs describe <paramref name="line"/> without publishing a path to it yet.</summary>
    public static bool IsUnpublished(string line) => Unpublished.ContainsKey(line);

    /// <summary>True when <paramref name="from"/> can be upgraded to <paramref name="to"/>; a patch upgrade within a line is always allowed.</summary>
    public static bool IsSupported(PlatformVersion from, PlatformVersion to, out string reason)
    {
        if (to.CompareTo(from) <= 0)
        {
            reason = $"{to} is not newer than the running {from}";
            return false;
        }

        if (from.Line == to.Line)
        {
            reason = $"a patch upgrade within {from.Line}";
            return true;
        }

        if (SupportedSources.TryGetValue(to.Line, out var sources) && sources.Contains(from.Line, StringComparer.Ordinal))
        {
            reason = $"{from.Line} → {to.Line} is a supported path";
            return true;
        }

        if (Unpublished.TryGetValue(to.Line, out var citation))
        {
            reason = $"no supported path to {to.Line} is published yet ({citation}): an upgrade to it is refused until the docs publish one. Test-GlobalUpgradeReadiness -TargetVersion {to.Line} already checks its documented conditions";
            return false;
        }

        reason = SupportedSources.TryGetValue(to.Line, out sources)
            ? $"{to.Line} can be reached only from {string.Join(", ", sources)}, not from {from.Line}; upgrade in steps"
            : $"no supported path to {to.Line} is known (known targets: {string.Join(", ", SupportedSources.Keys)})";
        return false;
    }
}
