using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Readiness;

/// <summary>The Kubernetes minor versions every managed cluster must run before an upgrade path, with the doc that says so.</summary>
public sealed record KubernetesRange(string From, string To, int MinMinor, int? MaxMinor, string Wording, string Citation)
{
    public bool Contains(PlatformVersion kubernetes) =>
        kubernetes.Major == 1 && kubernetes.Minor >= MinMinor && (MaxMinor is null || kubernetes.Minor <= MaxMinor);

    /// <summary>"1.31", "1.31–1.34", "1.32 or newer".</summary>
    public string Text => MaxMinor == MinMinor ? $"1.{MinMinor}" : MaxMinor is null ? $"1.{MinMinor} or newer" : $"1.{MinMinor}–1.{MaxMinor}";
}

/// <summary>
/// The documented Kubernetes prerequisite per upgrade path (source line → target line). "must be 1.x" is read as
/// exactly that minor; 4.2's "newer than 1.x" is read as 1.x or newer [assumed reading: 4.1 requires 1.32 for
/// 4.1→4.1.x and 4.2 "newer than 1.32" for 4.1→4.2, so "at least" is the consistent reading].
/// </summary>
public static class KubernetesPrerequisites
{
    public static IReadOnlyList<KubernetesRange> Table { get; } =
    [
        new("3.16", "4.0", 28, 28, "Kubernetes version of all clusters must be 1.28", "release-4.0 docs/en/upgrade/pre-upgrade.mdx, tab \"Upgrading from 3.16\""),
        new("3.18", "4.0", 30, 30, "Kubernetes version of all clusters must be 1.30", "release-4.0 docs/en/upgrade/pre-upgrade.mdx, tab \"Upgrading from 3.18\""),
        new("3.18", "4.1", 30, 30, "Kubernetes version of all clusters must be 1.30", "release-4.1 docs/en/upgrade/pre-upgrade.mdx, tab \"Upgrading from 3.18\""),
        new("4.0", "4.1", 31, 31, "Kubernetes version of all clusters must be 1.31", "release-4.1 docs/en/upgrade/pre-upgrade.mdx, tab \"Upgrading from 4.0\""),
        new("4.0", "4.2", 31, null, "ALL clusters MUST be running a Kubernetes version newer than 1.31", "release-4.2 docs/en/upgrade/pre-upgrade.mdx, \"Kubernetes prerequisites\" tab \"Upgrading from 4.0\""),
        new("4.1", "4.2", 32, null, "ALL clusters MUST be running a Kubernetes version newer than 1.32", "release-4.2 docs/en/upgrade/pre-upgrade.mdx, \"Kubernetes prerequisites\" tab \"Upgrading from 4.1\""),
        new("4.0", "4.3", 31, 34, "all workload clusters within the ACP 4.3 Compatible Versions 1.34, 1.33, 1.32, 1.31", "release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx (intro) and pre-upgrade.mdx \"Important Notes\""),
        new("4.1", "4.3", 31, 34, "all workload clusters within the ACP 4.3 Compatible Versions 1.34, 1.33, 1.32, 1.31", "release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx (intro) and pre-upgrade.mdx \"Important Notes\""),
        new("4.2", "4.3", 31, 34, "all workload clusters within the ACP 4.3 Compatible Versions 1.34, 1.33, 1.32, 1.31", "release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx (intro) and pre-upgrade.mdx \"Important Notes\""),
    ];

    /// <summary>The prerequisite of <paramref name="from"/> → <paramref name="to"/>; null when the docs give none (a patch upgrade, an unsupported path).</summary>
    public static KubernetesRange? For(PlatformVersion from, PlatformVersion to) =>
        Table.FirstOrDefault(r => r.From == from.Line && r.To == to.Line);

    /// <summary>A range given by the operator ("1.31", "1.31-1.34", "1.32+"), replacing the documented one.</summary>
    public static KubernetesRange Parse(string text, string from, string to)
    {
        var t = text.Trim().Replace('–', '-');
        int Minor(string part) => PlatformVersion.TryParse(part.Trim(), out var v) && v.Major == 1
            ? v.Minor
            : throw new Errors.GlobalUpgradeException(Errors.ErrorIds.InvalidKubernetesRange, Errors.FailureCategory.InvalidArgument,
                $"'{text}' is not a Kubernetes version range. Write it as 1.31, 1.31-1.34 or 1.32+.", text);
        var (min, max) = t.EndsWith('+') ? (Minor(t[..^1]), (int?)null)
            : t.Contains('-', StringComparison.Ordinal) ? (Minor(t[..t.IndexOf('-', StringComparison.Ordinal)]), Minor(t[(t.IndexOf('-', StringComparison.Ordinal) + 1)..]))
            : (Minor(t), Minor(t));
        return new KubernetesRange(from, to, min, max, $"given with -KubernetesVersionRange {text}", "operator override (-KubernetesVersionRange)");
    }
}
