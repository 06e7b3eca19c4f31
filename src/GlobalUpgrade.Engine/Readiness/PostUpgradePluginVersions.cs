using GlobalUpgrade.Platform;
using static GlobalUpgrade.Readiness.ReadinessCheckNames;
using static GlobalUpgrade.Readiness.ReadinessResult;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// Before 4.3, the cluster plugins after the Functional Components upgrade, by version (a phase of Running says
/// nothing about the version): none lower than Preflight recorded it (the 4.2.0 → 4.2.1 known issue downgrades them
/// [doc release-4.2 UGC "Known Issue in ACP 4.2.1"]), none left below a version the platform offers.
/// </summary>
internal static class PostUpgradePluginVersions
{
    private const string Global = AcpResources.GlobalClusterName;

    private static string SourceOf(string check) => PostUpgradeConditions.Table.First(c => c.Check == check).Source;

    /// <summary>The key a plugin is recorded under in Preflight's journal: "&lt;cluster label&gt;/&lt;module&gt;".</summary>
    public static string KeyOf(InstalledPlugin plugin) => $"{plugin.ClusterName}/{plugin.Module}";

    public static IEnumerable<CheckResult> NotDowngraded(PostUpgradeFacts f)
    {
        var source = SourceOf(PluginNotDowngraded);
        if (f.PluginsBefore is null)
        {
            yield return Create(PluginNotDowngraded, f.Cluster, CheckState.NotChecked, "no plugin below its version before the upgrade", "no record",
                "Preflight recorded no plugin versions in the journal (a journal written before they were recorded), so a downgrade cannot be told. Compare the plugins' versions in Clusters > global > Functional Components.", source);
            yield break;
        }

        var before = f.PluginsBefore.Where(p => p.Key.StartsWith(Global + "/", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (before.Count == 0)
        {
            yield return Create(PluginNotDowngraded, f.Cluster, CheckState.Passed, "no plugin below its version before the upgrade", "no plugin installed",
                "Preflight found no cluster plugin installed on the global cluster.", source);
            yield break;
        }

        var now = f.InstalledPlugins.GroupBy(KeyOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (key, was) in before)
        {
            var target = $"{f.Cluster}/{key}";
            if (!now.TryGetValue(key, out var plugin) || plugin.Version is null)
            {
                yield return Create(PluginNotDowngraded, target, CheckState.NotChecked, $"{was} or later", "not installed now",
                    $"{key} ran {was} before the upgrade and is not installed now (or reports no version), so its version cannot be compared.", source);
                continue;
            }

            var lowered = PlatformVersion.TryParse(was, out var old) && PlatformVersion.TryParse(plugin.Version, out var current) && current < old;
            yield return Create(PluginNotDowngraded, target, lowered ? CheckState.Failed : CheckState.Passed, $"{was} or later", plugin.Version,
                lowered
                    ? $"{key} was downgraded: it ran {was} before the upgrade and runs {plugin.Version} now. Before 4.3 this is the known issue of ACP 4.2.1 (a plugin not set to \"Do not upgrade\", or Upgrade pressed again). Do not press Upgrade again; contact support to bring it back to {was}."
                    : $"{key} runs {plugin.Version} (before the upgrade: {was}).",
                source, new Dictionary<string, object?> { ["Before"] = was });
        }
    }

    public static IEnumerable<CheckResult> NotBehind(PostUpgradeFacts f)
    {
        var source = SourceOf(PluginNotBehind);
        var plugins = f.InstalledPlugins.Where(p => p.ClusterName == Global).OrderBy(p => p.Module, StringComparer.Ordinal).ToList();
        if (plugins.Count == 0)
        {
            yield return Create(PluginNotBehind, f.Cluster, CheckState.Passed, "no plugin below a version offered", "no plugin installed",
                "No cluster plugin is installed on the global cluster.", source);
            yield break;
        }

        foreach (var plugin in plugins)
        {
            var offered = Higher(plugin);
            yield return Create(PluginNotBehind, $"{f.Cluster}/{KeyOf(plugin)}", offered.Count == 0 ? CheckState.Passed : CheckState.Failed, "no higher version offered",
                $"{plugin.Version ?? "no version"}{(offered.Count == 0 ? "" : $", {List(offered)} offered")}",
                offered.Count == 0
                    ? $"{plugin.Module} runs {plugin.Version}; the platform offers nothing higher."
                    : $"{plugin.Module} stayed at {plugin.Version} although the platform offers {List(offered)}: the Functional Components upgrade left it behind. Upgrade it in Clusters > global > Functional Components (not on the 4.2.0 → 4.2.1 path, whose known issue downgrades plugins on a second Upgrade), or waive with -SkipReadinessCheck {PluginNotBehind}.",
                source, new Dictionary<string, object?> { ["Offered"] = offered.ToArray() });
        }
    }

    /// <summary>The versions offered (status.availableVersions) above the one running.</summary>
    private static List<string> Higher(InstalledPlugin plugin) =>
        PlatformVersion.TryParse(plugin.Version, out var running)
            ? plugin.AvailableVersions.Select(v => PlatformVersion.TryParse(v, out var parsed) ? parsed : null).OfType<PlatformVersion>()
                .Where(v => v > running).OrderBy(v => v).Select(v => v.Text).Distinct(StringComparer.Ordinal).ToList()
            : [];
}
