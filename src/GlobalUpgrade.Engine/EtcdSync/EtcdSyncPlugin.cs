using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Finds the synchronizer's cluster-plugin objects: its module name (from the ModulePlugins, unless given), its
/// ModuleInfo by labels (never by name: the platform renames it) and the ModuleConfig of a version.
/// </summary>
public static class EtcdSyncPlugin
{
    public static string ModuleInfoSelector(string moduleName, EtcdSyncProfile details) =>
        AcpLabels.PluginSelector(moduleName, details.PluginClusterName);

    /// <summary>The plugin's cpaas.io/module-name: the one given, else the ModulePlugin that is the synchronizer, else the profile's [assumed] name.</summary>
    public static async Task<string> ResolveModuleNameAsync(ClusterConnection cluster, PlatformProfile profile, string? given, CancellationToken cancellationToken)
    {
        var details = profile.EtcdSyncDetails;
        var plugins = (await cluster.ListAsync(AcpResources.ModulePlugins, null, null, cancellationToken).ConfigureAwait(false)).Select(ModulePlugin.From).ToList();
        if (!string.IsNullOrWhiteSpace(given))
        {
            // A typo must say "unknown name", not "not installed" while the real plugin is there.
            var names = plugins.Select(p => p.Module).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return names.Contains(given, StringComparer.Ordinal)
                ? given
                : throw new GlobalUpgradeException(ErrorIds.EtcdSyncPluginNotFound, FailureCategory.ObjectNotFound,
                    $"-ModuleName '{given}' is not a plugin known to '{cluster.Name}' (no ModulePlugin with that module name). Plugins there: {(names.Count == 0 ? "none" : string.Join(", ", names))}. Omit -ModuleName to find the synchronizer by its display name.", given);
        }

        var matches = plugins
            .Select(p => (Name: p.Module, Texts: p.DisplayTexts))
            .Where(p => p.Name.Length > 0 && (p.Name == profile.EtcdSyncModuleName || details.PluginDisplayNames.Any(d => p.Texts.Any(t => string.Equals(t, d, StringComparison.OrdinalIgnoreCase)))))
            .Select(p => p.Name)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (matches.Count == 1)
        {
            OperationLog.Current.Verbose($"[{cluster.Name}] the etcd synchronizer is the plugin '{matches[0]}' (ModulePlugin found by its name or display name)");
            return matches[0];
        }

        if (matches.Count > 1)
        {
            if (profile.EtcdSyncModuleName is { } preferred && matches.Contains(preferred))
            {
                return preferred;
            }

            throw new GlobalUpgradeException(
                ErrorIds.EtcdSyncAmbiguous,
                FailureCategory.InvalidData,
                $"Cluster '{cluster.Name}' has several ModulePlugins that look like the etcd synchronizer: {string.Join(", ", matches)}. Name the one to use with -ModuleName.",
                cluster.Name);
        }

        var assumed = profile.EtcdSyncModuleName ?? details.ModuleName;
        OperationLog.Current.Verbose($"[{cluster.Name}] no ModulePlugin names the etcd synchronizer; assuming module name '{assumed}' (override with -ModuleName)");
        return assumed;
    }

    public static Task<IReadOnlyList<JsonObject>> FindModuleInfosAsync(ClusterConnection cluster, string moduleName, EtcdSyncProfile details, CancellationToken cancellationToken) =>
        cluster.ListAsync(AcpResources.ModuleInfos, null, ModuleInfoSelector(moduleName, details), cancellationToken);

    /// <summary>
    /// The ModuleConfig to install: the <paramref name="requested"/> version (a warning when it is not of the platform's
    /// line), else the highest patch published of the platform's major.minor. The plugin is released with the platform,
    /// so when that line is not published this refuses rather than install another version silently [assumed] (docs/platform-versions.md; 4.3 Aligned plugins: [doc release-4.3 upgrade/pre-upgrade.mdx]).
    /// </summary>
    public static async Task<JsonObject> SelectModuleConfigAsync(ClusterConnection cluster, string moduleName, string? requested, PlatformVersion platform, CancellationToken cancellationToken)
    {
        var configs = (await cluster.ListAsync(AcpResources.ModuleConfigs, null, ModuleConfig.Selector(moduleName), cancellationToken).ConfigureAwait(false))
            .Where(c => VersionOf(c) is not null)
            .ToList();
        if (configs.Count == 0)
        {
            throw new GlobalUpgradeException(
                ErrorIds.EtcdSyncPluginNotFound,
                FailureCategory.ObjectNotFound,
                $"Cluster '{cluster.Name}' has no ModuleConfig of plugin '{moduleName}' (moduleconfigs.cluster.alauda.io labelled {ModuleConfig.Selector(moduleName)}). Check the plugin is uploaded to the platform, or name the right plugin with -ModuleName.",
                moduleName);
        }

        var published = string.Join(", ", configs.Select(VersionOf).OrderBy(v => v, StringComparer.Ordinal));
        if (requested is not null)
        {
            var chosen = configs.FirstOrDefault(c => SameVersion(VersionOf(c), requested))
                ?? throw new GlobalUpgradeException(
                    ErrorIds.EtcdSyncVersionNotFound,
                    FailureCategory.ObjectNotFound,
                    $"Plugin '{moduleName}' on cluster '{cluster.Name}' has no version {requested}. Published: {published}.",
                    requested);
            if (!PlatformVersion.TryParse(requested, out var asked) || asked.Line != platform.Line)
            {
                OperationLog.Current.Warning($"-Version {requested}: installing plugin {moduleName} {requested} on '{cluster.Name}', which runs ACP {platform}. The plugin is released with the platform; the {platform.Line} plugin is the one the docs install.");
            }

            return chosen;
        }

        return configs
            .Select(c => (Config: c, Version: PlatformVersion.TryParse(VersionOf(c), out var v) ? v : null))
            .Where(c => c.Version is not null && c.Version.Line == platform.Line)
            .OrderByDescending(c => c.Version)
            .Select(c => c.Config)
            .FirstOrDefault()
            ?? throw new GlobalUpgradeException(
                ErrorIds.EtcdSyncVersionMismatch,
                FailureCategory.InvalidOperation,
                $"Cluster '{cluster.Name}' runs ACP {platform}, and plugin '{moduleName}' is published only at {published}: none of the {platform.Line} line. The plugin is released with the platform; upload the {platform.Line} plugin (violet push) and run again, or install another version on purpose with -Version.",
                moduleName);
    }

    public static string? VersionOf(JsonObject moduleConfig) => ModuleConfig.From(moduleConfig).Version;

    public static bool SameVersion(string? a, string? b) =>
        a is not null && b is not null && string.Equals(a.TrimStart('v'), b.TrimStart('v'), StringComparison.OrdinalIgnoreCase);
}
