using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Upgrade;

/// <summary>One cluster plugin in the Functional Components request: its version, and the target asked for (null: "Do not upgrade").</summary>
public sealed record PluginTarget(string Module, string? Running, string? Target, string Why)
{
    public override string ToString() => Target is null ? $"{Module} {Running} held ({Why})" : $"{Module} {Running} → {Target}";
}

/// <summary>
/// The cluster plugins' targets of a ClusterModule request (before 4.3), chosen as the console's dialog is used: a
/// plugin goes to the highest version offered above the one it runs (ModuleInfo status.availableVersions, [assumed]
/// to be the dialog's Target); a plugin offered nothing higher is "Do not upgrade" — never a lower target, which is
/// what the 4.2.0 → 4.2.1 known issue asks [doc release-4.2 UGC "Known Issue in ACP 4.2.1"].
/// </summary>
public static class PluginTargets
{
    /// <summary>The plugins of <paramref name="clusterName"/> (ModuleInfos found by label) with the target each gets.</summary>
    public static async Task<IReadOnlyList<PluginTarget>> ReadAsync(ClusterConnection cluster, string clusterName, CancellationToken cancellationToken)
    {
        var infos = await cluster.ListAsync(AcpResources.ModuleInfos, null, $"{AcpLabels.ClusterName}={clusterName}", cancellationToken).ConfigureAwait(false);
        return Choose(infos.Select(ModuleInfo.From));
    }

    /// <summary>The target of each plugin (no I/O), sorted by module.</summary>
    public static IReadOnlyList<PluginTarget> Choose(IEnumerable<ModuleInfo> plugins) =>
        plugins.Where(p => !p.Meta.IsDeleting).OrderBy(p => p.Module, StringComparer.Ordinal).Select(Choose).ToList();

    private static PluginTarget Choose(ModuleInfo plugin)
    {
        var running = plugin.Version;
        if (!PlatformVersion.TryParse(running ?? "", out var current))
        {
            return new PluginTarget(plugin.Module, running, null, "its version is not readable");
        }

        var offered = plugin.AvailableVersions.Select(v => PlatformVersion.TryParse(v, out var parsed) ? parsed : null).OfType<PlatformVersion>().ToList();
        var higher = offered.Where(v => v > current).OrderBy(v => v).LastOrDefault();
        if (higher is not null)
        {
            return new PluginTarget(plugin.Module, running, higher.Text, "offered");
        }

        var lower = offered.Where(v => v < current).OrderBy(v => v).LastOrDefault();
        return lower is null
            ? new PluginTarget(plugin.Module, running, null, "no upgrade offered")
            : new PluginTarget(plugin.Module, running, null, $"offered only the lower {lower.Text}: Do not upgrade, or it is downgraded");
    }

    /// <summary>spec.upgradeModulesInfos as the schema has it: one {name, version} per plugin with a target; [] names none.</summary>
    public static JsonArray ToModulesInfos(IEnumerable<PluginTarget> targets) =>
        new(targets.Where(t => t.Target is not null).Select(t => (JsonNode)new JsonObject { ["name"] = t.Module, ["version"] = t.Target }).ToArray());

    /// <summary>"a v1 → v2, b v3 held (…)" for messages.</summary>
    public static string Describe(IReadOnlyCollection<PluginTarget> targets) =>
        targets.Count == 0 ? "no cluster plugin installed" : string.Join("; ", targets);
}
