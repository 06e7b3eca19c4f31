using GlobalUpgrade.Platform;
using static GlobalUpgrade.Readiness.ReadinessCheckNames;
using static GlobalUpgrade.Readiness.ReadinessResult;

namespace GlobalUpgrade.Readiness;

/// <summary>How each item of <see cref="PostUpgradeConditions.Table"/> is judged from what was read (no I/O).</summary>
internal static class PostUpgradeRules
{
    /// <summary>The cluster label of the global cluster's own plugins: the guide's items are about the global cluster.</summary>
    private const string Global = AcpResources.GlobalClusterName;

    private static string SourceOf(string check) => PostUpgradeConditions.Table.First(c => c.Check == check).Source;

    /// <summary>The GitOps plugins installed on the global cluster: by the documented display name, else by the [assumed] module names.</summary>
    public static IEnumerable<InstalledPlugin> GitOpsPlugins(IEnumerable<InstalledPlugin> installed, ReadinessAssumptions a) =>
        installed.Where(p => p.ClusterName == Global
            && (string.Equals(p.DisplayName, PostUpgradeConditions.GitOpsDisplayName, StringComparison.OrdinalIgnoreCase) || ReadinessAssumptions.Matches(a.GitOpsModules, p.Module)));

    public static IEnumerable<CheckResult> GitOps(PostUpgradeFacts f)
    {
        var source = SourceOf(GitOpsPodsHealthy);
        var a = f.Assumptions;
        var plugins = GitOpsPlugins(f.InstalledPlugins, a).ToList();
        if (plugins.Count == 0)
        {
            yield return Create(GitOpsPodsHealthy, f.Cluster, CheckState.Passed, "GitOps pods Running and ready", "GitOps not installed",
                $"{PostUpgradeConditions.GitOpsDisplayName} is not installed on the global cluster (display name, or [assumed] module names {string.Join(", ", a.GitOpsModules)}), so it has no pods to check.", source);
            yield break;
        }

        var target = $"{f.Cluster}/{Global}/{plugins[0].Module}";
        var pods = f.GitOpsPods ?? [];
        if (pods.Count == 0)
        {
            yield return Create(GitOpsPodsHealthy, target, CheckState.NotChecked, "GitOps pods Running and ready", $"no pods in {a.GitOpsNamespace}",
                $"{plugins[0].Module} {plugins[0].Version} is installed but namespace {a.GitOpsNamespace} ([assumed] its namespace) has no pods, so their health was not checked. Give the right namespace with -ReadinessAssumption @{{ GitOpsNamespace = '<namespace>' }}.",
                source);
            yield break;
        }

        var unhealthy = pods.Where(p => !p.Healthy).ToList();
        var detail = new Dictionary<string, object?> { ["Namespace"] = a.GitOpsNamespace, ["Unhealthy"] = unhealthy.Select(p => p.Name).ToArray() };
        yield return Create(GitOpsPodsHealthy, target, unhealthy.Count == 0 ? CheckState.Passed : CheckState.Failed, "GitOps pods Running and ready",
            $"{pods.Count - unhealthy.Count} of {pods.Count} healthy",
            unhealthy.Count == 0
                ? $"All {pods.Count} pods of {plugins[0].Module} in {a.GitOpsNamespace} are Running and ready."
                : $"GitOps pods in {a.GitOpsNamespace} are running abnormally after the upgrade: {List(unhealthy.Select(p => p.ToString()))}. Follow {PostUpgradeConditions.GitOpsGuide}.",
            source, detail);
    }

    public static IEnumerable<CheckResult> Agnostic(PostUpgradeFacts f)
    {
        var source = SourceOf(AgnosticPluginUpgraded);
        var agnostic = f.InstalledPlugins.Where(p => p.ClusterName == Global && IsAgnostic(f, p) && !IsL5(p, f.Assumptions))
            .OrderBy(p => p.Module, StringComparer.Ordinal).ToList();
        if (agnostic.Count == 0)
        {
            yield return Create(AgnosticPluginUpgraded, f.Cluster, CheckState.Passed, "no Agnostic plugin older than a published version", "no Agnostic plugin installed",
                $"Every plugin of the global cluster carries a platform version ({f.Target.Line} or the line before), so none is Agnostic.", source);
            yield break;
        }

        foreach (var plugin in agnostic)
        {
            var newer = Newer(f, plugin);
            yield return Create(AgnosticPluginUpgraded, $"{f.Cluster}/{Global}/{plugin.Module}", newer.Count == 0 ? CheckState.Passed : CheckState.Failed,
                "the newest published version installed", $"{plugin.Version} installed{(newer.Count == 0 ? "" : $", {List(newer)} published")}",
                newer.Count == 0
                    ? $"{plugin.Module} {plugin.Version} (Agnostic) is the newest version published; whether it suits Kubernetes of {f.Target} is in its release notes."
                    : $"{plugin.Module} {plugin.Version} (Agnostic, outside the Cluster Version Operator) is older than the published {List(newer)}. Upgrade it from Marketplace > Cluster Plugins now that the cluster runs {f.Target} (its release notes say whether the target Kubernetes needs it), or waive with -SkipReadinessCheck {AgnosticPluginUpgraded}.",
                source, new Dictionary<string, object?> { ["Published"] = newer.ToArray() });
        }
    }

    public static IEnumerable<CheckResult> L5Plugins(PostUpgradeFacts f)
    {
        var source = SourceOf(L5PluginCompatible);
        var l5 = f.InstalledPlugins.Where(p => IsL5(p, f.Assumptions)).OrderBy(p => p.ClusterName, StringComparer.Ordinal).ThenBy(p => p.Module, StringComparer.Ordinal).ToList();
        if (l5.Count == 0)
        {
            yield return Create(L5PluginCompatible, f.Cluster, CheckState.Passed, "the L5 plugins at ACP v4.3-compatible versions", "none installed",
                $"None of the L5 plugins the 4.3 notes name ({string.Join(", ", PostUpgradeConditions.L5DisplayNames)}) is installed (display name, or [assumed] module names {string.Join(", ", f.Assumptions.L5Modules)}).", source);
            yield break;
        }

        foreach (var plugin in l5)
        {
            var newer = Newer(f, plugin);
            var name = plugin.DisplayName ?? plugin.Module;
            yield return newer.Count > 0
                ? Create(L5PluginCompatible, $"{f.Cluster}/{plugin.ClusterName}/{plugin.Module}", CheckState.Failed, "an ACP v4.3-compatible version", $"{plugin.Version} installed, {List(newer)} published",
                    $"{name} {plugin.Version} is older than the published {List(newer)}: 4.3 fixes an API authentication issue, and until this plugin runs a v4.3-compatible version its UI pages may fail to open. Upgrade it, then open its UI page.",
                    source, new Dictionary<string, object?> { ["Published"] = newer.ToArray() })
                : Create(L5PluginCompatible, $"{f.Cluster}/{plugin.ClusterName}/{plugin.Module}", CheckState.NotChecked, "an ACP v4.3-compatible version", $"{plugin.Version} installed, nothing newer published",
                    $"{name} {plugin.Version} is the newest version published here; whether it is v4.3-compatible is in its release notes, and the docs ask to open its UI page to verify. A person must confirm it, so it is not counted as passed.",
                    source);
        }
    }

    public static IEnumerable<CheckResult> Kubernetes(PostUpgradeFacts f)
    {
        var minor = PlatformLine.For(f.Target).GlobalKubernetesMinor;
        var expected = $"1.{minor}";
        var upgraded = PlatformVersion.TryParse(f.KubernetesVersion, out var running) && running.Major == 1 && running.Minor == minor;
        yield return Create(KubernetesVersionUpgraded, f.Cluster, upgraded ? CheckState.Passed : CheckState.Failed, expected, f.KubernetesVersion ?? "not read",
            upgraded
                ? $"{f.Cluster} runs Kubernetes {f.KubernetesVersion}, the {f.Target.Line} line's {expected}."
                : $"{f.Cluster} runs Kubernetes {f.KubernetesVersion ?? "(not read)"}, not the {f.Target.Line} line's {expected}: the docs require the global cluster's Kubernetes upgrade in the same window as its Core (\"mixing a new Core release with an old Kubernetes minor version is not validated\"). Upgrade it as the docs describe, or waive with -SkipReadinessCheck {KubernetesVersionUpgraded}.",
            SourceOf(KubernetesVersionUpgraded));
    }

    /// <summary>A plugin not released with the platform: its version is neither the target's line nor a line the clusters ran before.</summary>
    private static bool IsAgnostic(PostUpgradeFacts f, InstalledPlugin plugin) =>
        !(PlatformVersion.TryParse(plugin.Version, out var v) && (v.Line == f.Target.Line || f.FromLines.Contains(v.Line, StringComparer.Ordinal)));

    private static bool IsL5(InstalledPlugin plugin, ReadinessAssumptions a) =>
        PostUpgradeConditions.L5DisplayNames.Contains(plugin.DisplayName ?? "", StringComparer.OrdinalIgnoreCase) || ReadinessAssumptions.Matches(a.L5Modules, plugin.Module);

    /// <summary>Versions newer than the installed one that the platform offers (status.availableVersions) or that are published (ModuleConfig).</summary>
    private static List<string> Newer(PostUpgradeFacts f, InstalledPlugin plugin)
    {
        if (!PlatformVersion.TryParse(plugin.Version, out var installed))
        {
            return [];
        }

        return plugin.AvailableVersions.Concat(f.PublishedPlugins.Where(p => p.Module == plugin.Module).Select(p => p.Version))
            .Select(v => PlatformVersion.TryParse(v, out var parsed) ? parsed : null).OfType<PlatformVersion>()
            .Where(v => v > installed).DistinctBy(v => (v.Major, v.Minor, v.Patch)).OrderBy(v => v).Select(v => v.Text).ToList();
    }
}
