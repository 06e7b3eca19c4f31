using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// The cluster plugins in the Functional Components upgrade (before 4.3), as the console's dialog shows and applies
/// them: each installed plugin of the cluster is offered a Target in its ModuleInfo <c>status.availableVersions</c>
/// (where the dialog reads it is not documented: the sim's choice); a request's <c>spec.upgradeModulesInfos</c> is
/// applied exactly — a plugin left out is "Do not upgrade" — and a request without the field takes the Targets the
/// dialog shows, as confirming the dialog unchanged does [doc release-4.0 UGC "Upgrade the global cluster": "Review
/// the available component updates in the dialog, and confirm to proceed"].
/// </summary>
internal sealed class ClusterModulePlugins(SimCluster cluster)
{
    /// <summary>One plugin to move: its ModuleInfo, from which version to which.</summary>
    public sealed record Move(string ObjectName, string Module, string From, string To);

    /// <summary>
    /// Offers each plugin of <paramref name="clusterName"/> the published versions above the one it runs; on the
    /// 4.2.0 → 4.2.1 path a plugin with an older version published is shown that lower Target instead
    /// [doc release-4.2 UGC "Known Issue in ACP 4.2.1": "the Target version for cluster plugins such as Alauda
    /// Container Platform Base is displayed as a lower version"].
    /// </summary>
    public void Offer(string clusterName, bool lowerTargets)
    {
        foreach (var info in Installed(clusterName))
        {
            var running = VersionText.Parse(info.Str("status.version") ?? info.Str("spec.version"));
            var published = Published(info.Labels()[Plugins.ModuleNameLabel]);
            var lower = published.Where(v => VersionText.Parse(v) < running).ToList();
            var offered = lowerTargets && lower.Count > 0 ? [lower[^1]] : published.Where(v => VersionText.Parse(v) > running).ToList();
            SetOffer(info.Name(), offered);
        }
    }

    /// <summary>What a request asks of the plugins: the named targets, or the shown ones when it names none.</summary>
    public List<Move> Requested(string clusterName, JsonObject module)
    {
        var named = module["spec"]?["upgradeModulesInfos"] is JsonArray list
            ? list.OfType<JsonObject>().Select(o => (Name: o.Str("name") ?? "", Version: o.Str("version") ?? "")).ToList()
            : null;
        var moves = new List<Move>();
        foreach (var info in Installed(clusterName))
        {
            var moduleName = info.Labels()[Plugins.ModuleNameLabel];
            var running = info.Str("status.version") ?? info.Str("spec.version") ?? "";
            var target = named is null
                ? (info["status"]?["availableVersions"] as JsonArray)?.OfType<JsonObject>().Select(v => v.Str("version")).OfType<string>().LastOrDefault()
                : named.Where(n => n.Name == moduleName).Select(n => n.Version).LastOrDefault();
            if (target is { Length: > 0 } && target != running)
            {
                moves.Add(new Move(info.Name(), moduleName, running, target));
            }
        }

        return moves;
    }

    /// <summary>The modules a request names that the cluster has not installed: the platform has nothing to upgrade (stricter than the docs, which are silent).</summary>
    public IEnumerable<string> NamedButNotInstalled(string clusterName, JsonObject module)
    {
        var installed = Installed(clusterName).Select(i => i.Labels()[Plugins.ModuleNameLabel]).ToHashSet(StringComparer.Ordinal);
        return (module["spec"]?["upgradeModulesInfos"] as JsonArray ?? []).OfType<JsonObject>().Select(o => o.Str("name") ?? "").Where(n => !installed.Contains(n));
    }

    /// <summary>
    /// Deploys one plugin at its target when that version is published and ready for deploy (a ModuleConfig with
    /// <c>status.readyForDeploy: false</c> is left undeployed: the plugin keeps its version). Returns whether it moved.
    /// On the known-issue path the plugin is then shown its previous version as Target [doc release-4.2 UGC "Known
    /// Issue in ACP 4.2.1": after the upgrade "the Target for cluster plugins that have already been upgraded to the
    /// new patch version is displayed as a lower version. Upgrading again will cause these cluster plugins to be downgraded"].
    /// </summary>
    public bool Deploy(Move move, bool lowerTargets)
    {
        var config = cluster.Store.Get(ResourceTypes.ModuleConfigs, null, $"{move.Module}-{move.To}");
        if (config is null || config["status"]?["readyForDeploy"]?.GetValue<bool>() == false)
        {
            return false;
        }

        cluster.Store.Mutate(ResourceTypes.ModuleInfos, null, move.ObjectName, o =>
        {
            o.Set("spec.version", move.To);
            o.Set("status.version", move.To);
            o.Set("status.phase", "Running");
            return o;
        });
        var to = VersionText.Parse(move.To);
        SetOffer(move.ObjectName, lowerTargets && VersionText.Parse(move.From) < to
            ? [move.From]
            : Published(move.Module).Where(v => VersionText.Parse(v) > to).ToList());
        return true;
    }

    /// <summary>Whether <paramref name="module"/> is published at <paramref name="version"/> (a ModuleConfig).</summary>
    public bool IsPublished(string module, string version) => cluster.Store.Get(ResourceTypes.ModuleConfigs, null, $"{module}-{version}") is not null;

    private IEnumerable<JsonObject> Installed(string clusterName) =>
        cluster.Store.List(ResourceTypes.ModuleInfos, null).Items.Where(i =>
            i.Labels() is var labels && labels.GetValueOrDefault(Plugins.ClusterNameLabel) == clusterName && labels.ContainsKey(Plugins.ModuleNameLabel) && !i.IsDeleting());

    // The module's published versions (ModuleConfig spec.version), lowest first.
    private List<string> Published(string module) =>
        cluster.Store.List(ResourceTypes.ModuleConfigs, null).Items
            .Where(c => c.Labels().GetValueOrDefault(Plugins.ModuleNameLabel) == module)
            .Select(c => c.Str("spec.version")).OfType<string>().Distinct(StringComparer.Ordinal).OrderBy(VersionText.Parse).ToList();

    private void SetOffer(string objectName, IReadOnlyList<string> versions) =>
        cluster.Store.Mutate(ResourceTypes.ModuleInfos, null, objectName, o =>
        {
            o.Set("status.availableVersions", new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["version"] = v }).ToArray()));
            return o;
        });
}
