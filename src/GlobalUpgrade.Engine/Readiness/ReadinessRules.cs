using System.Globalization;
using GlobalUpgrade.Platform;
using static GlobalUpgrade.Readiness.ReadinessCheckNames;
using static GlobalUpgrade.Readiness.ReadinessResult;

namespace GlobalUpgrade.Readiness;

/// <summary>How each condition of <see cref="ReadinessConditions.Table"/> is judged from what was read (no I/O).</summary>
internal static class ReadinessRules
{
    private static string SourceOf(string check) => ReadinessConditions.Table.First(c => c.Check == check).Source;

    public static IEnumerable<CheckResult> Path(ReadinessFacts f)
    {
        var source = SourceOf(VersionUpgradePath);
        if (f.From is not { } from)
        {
            yield return Create(VersionUpgradePath, f.Cluster, CheckState.NotChecked, $"a supported path to {f.Target}", f.RunningVersion ?? "no version",
                $"The running version of {f.Cluster} ('{f.RunningVersion ?? "none"}' in ProductBase {AcpResources.ProductBaseName}) is not a version, so no condition could be checked.", source);
            yield break;
        }

        if (from.CompareTo(f.Target) == 0)
        {
            yield return Create(VersionUpgradePath, f.Cluster, CheckState.Passed, $"a supported path to {f.Target}", from.Text, $"{f.Cluster} already runs {f.Target}.", source);
            yield break;
        }

        var supported = UpgradePaths.IsSupported(from, f.Target, out var reason);
        yield return Create(VersionUpgradePath, f.Cluster, supported ? CheckState.Passed : CheckState.Failed, $"a supported path to {f.Target}", $"{from.Text} → {f.Target}",
            supported ? $"{f.Cluster}: {reason}." : $"{f.Cluster} cannot be upgraded to {f.Target}: {reason}.", source);
    }

    public static IEnumerable<CheckResult> Kubernetes(ReadinessFacts f)
    {
        var from = f.From!;
        var range = f.KubernetesOverride ?? KubernetesPrerequisites.For(from, f.Target);
        if (f.ManagedClusters.Count == 0)
        {
            yield return Create(KubernetesVersionSupported, f.Cluster, CheckState.NotChecked, range?.Text, "no clusters read",
                $"{f.Cluster} lists no clusters.platform.tkestack.io, so no cluster's Kubernetes version could be checked.", SourceOf(KubernetesVersionSupported));
            yield break;
        }

        foreach (var cluster in f.ManagedClusters)
        {
            var target = $"{f.Cluster}/{cluster.Name}";
            if (range is null)
            {
                var patch = from.Line == f.Target.Line;
                yield return Create(KubernetesVersionSupported, target, patch ? CheckState.Passed : CheckState.NotChecked, "no documented prerequisite", cluster.KubernetesVersion,
                    patch ? $"A patch upgrade within {from.Line} has no documented Kubernetes prerequisite; {cluster.Name} runs {cluster.KubernetesVersion ?? "an unknown version"}."
                    : $"The docs give no Kubernetes prerequisite for {from.Line} → {f.Target.Line} (not a supported path), so {cluster.Name} was not checked.",
                    SourceOf(KubernetesVersionSupported));
                continue;
            }

            var detail = new Dictionary<string, object?> { ["Requirement"] = range.Wording };
            if (!PlatformVersion.TryParse(cluster.KubernetesVersion, out var kubernetes))
            {
                yield return Create(KubernetesVersionSupported, target, CheckState.NotChecked, range.Text, cluster.KubernetesVersion ?? "no version",
                    $"Cluster {cluster.Name} reports no readable Kubernetes version (status.version / spec.version), so it was not checked against {range.Text}.", range.Citation, detail);
                continue;
            }

            var inside = range.Contains(kubernetes);
            yield return Create(KubernetesVersionSupported, target, inside ? CheckState.Passed : CheckState.Failed, range.Text, cluster.KubernetesVersion,
                inside
                    ? $"Cluster {cluster.Name} runs Kubernetes {cluster.KubernetesVersion}, within {range.Text} for {from.Line} → {f.Target.Line}."
                    : $"Cluster {cluster.Name} runs Kubernetes {cluster.KubernetesVersion}, outside {range.Text} required for {from.Line} → {f.Target.Line} (\"{range.Wording}\"). Upgrade its Kubernetes first.",
                range.Citation, detail);
        }
    }

    public static IEnumerable<CheckResult> Minio(ReadinessFacts f)
    {
        var source = SourceOf(MinioFreeSpace);
        var a = f.Assumptions;
        var expected = $"≥ {a.MinioMinimumFreeGB.ToString("0.##", CultureInfo.InvariantCulture)} GB free under {a.MinioPath}";
        if (f.MinioSpace is null)
        {
            var nodes = f.ControlPlaneNodes.Count > 0 ? f.ControlPlaneNodes : [f.Cluster];
            foreach (var node in nodes)
            {
                yield return Create(MinioFreeSpace, f.ControlPlaneNodes.Count > 0 ? $"{f.Cluster}/{node}" : f.Cluster, CheckState.NotChecked, expected, "not measured",
                    $"No node access was given, so the free space under {a.MinioPath} on {node} was not measured. Run with -Local on a control-plane node, or -ComputerName/-KeyFilePath/-SshCredential to reach the nodes over SSH.", source);
            }

            yield break;
        }

        foreach (var space in f.MinioSpace)
        {
            var target = $"{f.Cluster}/{space.Node}";
            if (space.FreeGB is not { } free)
            {
                yield return Create(MinioFreeSpace, target, CheckState.NotChecked, expected, "not measured",
                    $"The free space under {a.MinioPath} on {space.Node} could not be measured: {space.Error}", source);
                continue;
            }

            var enough = free >= a.MinioMinimumFreeGB;
            var shown = $"{free.ToString("0.#", CultureInfo.InvariantCulture)} GB free under {space.MeasuredPath}";
            yield return Create(MinioFreeSpace, target, enough ? CheckState.Passed : CheckState.Failed, expected, shown,
                enough ? $"{space.Node}: {shown}." : $"{space.Node}: only {shown}; the upgrade needs {expected}. Free or add disk space before the window.",
                source, new Dictionary<string, object?> { ["FreeGB"] = free, ["MeasuredPath"] = space.MeasuredPath });
        }
    }

    public static IEnumerable<CheckResult> EtcdBackups(ReadinessFacts f)
    {
        var source = SourceOf(CustomEtcdBackupTasksAbsent);
        var a = f.Assumptions;
        var expected = $"no etcd backup task but {a.DefaultEtcdBackupTask}";
        if (f.EtcdBackupTasks is null)
        {
            yield return Create(CustomEtcdBackupTasksAbsent, f.Cluster, CheckState.NotChecked, expected, "not read",
                $"{f.Cluster} does not serve {a.EtcdBackupResource}, where the backup tasks are [assumed] to live, so custom tasks could not be looked for. If they live elsewhere, pass -Assumption @{{ EtcdBackupResource = 'group/version/plural' }}.", source);
            yield break;
        }

        var custom = f.EtcdBackupTasks.Where(t => !string.Equals(t, a.DefaultEtcdBackupTask, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        yield return Create(CustomEtcdBackupTasksAbsent, f.Cluster, custom.Count == 0 ? CheckState.Passed : CheckState.Failed, expected,
            custom.Count == 0 ? "none" : List(custom),
            custom.Count == 0
                ? $"{f.Cluster} has no etcd backup task but {a.DefaultEtcdBackupTask} ({a.EtcdBackupResource} [assumed to hold the tasks])."
                : $"{f.Cluster} has custom periodic etcd backup tasks: {List(custom)}. From 4.0 they are deprecated: back them up and delete them before upgrading (existing snapshots stay); reconfigure {a.DefaultEtcdBackupTask} afterwards.",
            source, new Dictionary<string, object?> { ["Tasks"] = custom.ToArray() });
    }

    public static IEnumerable<CheckResult> CostManager(ReadinessFacts f)
    {
        var found = f.InstalledPlugins.Where(p => ReadinessAssumptions.Matches(f.Assumptions.CostManagerModules, p.Module)).ToList();
        yield return Create(CostManagerAbsent, f.Cluster, found.Count == 0 ? CheckState.Passed : CheckState.Failed, "CostManager and Kubecost not installed",
            found.Count == 0 ? "none installed" : List(found.Select(Describe)),
            found.Count == 0
                ? $"No CostManager or Kubecost plugin is installed ([assumed] module names {string.Join(", ", f.Assumptions.CostManagerModules)})."
                : $"CostManager/Kubecost is installed: {List(found.Select(Describe))}. It is deprecated from 4.0 and must be uninstalled before upgrading.",
            SourceOf(CostManagerAbsent));
    }

    public static IEnumerable<CheckResult> Istio(ReadinessFacts f)
    {
        var required = PlatformLine.For(f.From!).RequiredIstioMinor;
        foreach (var plugin in f.InstalledPlugins.Where(p => ReadinessAssumptions.Matches(f.Assumptions.IstioModules, p.Module)))
        {
            var target = $"{f.Cluster}/{plugin.ClusterName}/{plugin.Module}";
            // The plugin's version is the platform's line unless it names Istio itself (1.x): only then can it be judged.
            if (PlatformVersion.TryParse(plugin.Version, out var v) && v.Major == 1)
            {
                var ok = v.Minor >= required;
                yield return Create(IstioVersion, target, ok ? CheckState.Passed : CheckState.Failed, $"Istio 1.{required}", plugin.Version,
                    ok ? $"Istio on {plugin.ClusterName} is {plugin.Version}." : $"Istio on {plugin.ClusterName} is {plugin.Version}; every cluster with Istio must run 1.{required} before the upgrade (see the Service Mesh upgrade docs).",
                    SourceOf(IstioVersion));
                continue;
            }

            yield return Create(IstioVersion, target, CheckState.NotChecked, $"Istio 1.{required}", plugin.Version,
                $"{Describe(plugin)} is installed; its Istio version cannot be read from the plugin version. Confirm Istio runs 1.{required} on {plugin.ClusterName} before the upgrade.",
                SourceOf(IstioVersion));
        }
    }

    public static IEnumerable<CheckResult> ClickHouse(ReadinessFacts f) =>
        f.InstalledPlugins.Where(p => ReadinessAssumptions.Matches(f.Assumptions.ClickHouseModules, p.Module)).Select(p =>
            Create(ClickHouseUninstalled, $"{f.Cluster}/{p.ClusterName}/{p.Module}", CheckState.Failed, "not installed", p.Version,
                $"{Describe(p)} is installed: from 3.16 ClickHouse must be uninstalled before the upgrade and reinstalled afterwards.", SourceOf(ClickHouseUninstalled)));

    public static IEnumerable<CheckResult> Elasticsearch(ReadinessFacts f) =>
        f.InstalledPlugins.Where(p => ReadinessAssumptions.Matches(f.Assumptions.ElasticsearchModules, p.Module)).Select(p =>
            Create(ElasticsearchPrepared, $"{f.Cluster}/{p.ClusterName}/{p.Module}", CheckState.NotChecked, "the documented Elasticsearch step done", p.Version,
                PlatformLine.For(f.From!).RunsElasticsearchV6
                    ? $"{Describe(p)} is installed: Elasticsearch v6 of 3.16 cannot be upgraded to v8; follow the checklist's instructions. Only a person can confirm this, so it is not counted as passed."
                    : $"{Describe(p)} is installed: apply \"How to Correct the Issue of Node Role Settings in Big Cluster Elasticsearch\" (Customer Portal > Knowledge) first. Only a person can confirm this, so it is not counted as passed.",
                SourceOf(ElasticsearchPrepared)));

    public static IEnumerable<CheckResult> TopoLvm(ReadinessFacts f) =>
        f.InstalledPlugins.Where(p => ReadinessAssumptions.Matches(f.Assumptions.TopoLvmModules, p.Module))
            .Select(p => Published(f, TopoLvmPublished, p, p.Module, "the TopoLVM plugin", required: true));

    public static IEnumerable<CheckResult> LogEssentials(ReadinessFacts f)
    {
        var logStorage = f.InstalledPlugins.Where(p => ReadinessAssumptions.Matches(f.Assumptions.LogStorageModules, p.Module)).ToList();
        if (logStorage.Count == 0)
        {
            yield break;
        }

        var essentials = f.PublishedPlugins.FirstOrDefault(p => ReadinessAssumptions.Matches(f.Assumptions.LogEssentialsModules, p.Module) && OnLine(p.Version, f.Target))
            ?? new PublishedPlugin((f.Assumptions.LogEssentialsModules.Count > 0 ? f.Assumptions.LogEssentialsModules[0] : null) ?? "log-essentials", "");
        yield return Published(f, LogEssentialsPublished, logStorage[0], essentials.Module, "Alauda Container Platform Log Essentials (needed from 4.2 by log storage users)", required: true);
    }

    public static IEnumerable<CheckResult> Extensions(ReadinessFacts f)
    {
        var from = f.From!;
        foreach (var plugin in f.InstalledPlugins.OrderBy(p => p.ClusterName, StringComparer.Ordinal).ThenBy(p => p.Module, StringComparer.Ordinal))
        {
            var aligned = PlatformVersion.TryParse(plugin.Version, out var installed) && installed.Line == from.Line;
            if (aligned || from.Line == f.Target.Line)
            {
                yield return Published(f, ExtensionPublished, plugin, plugin.Module, $"plugin {plugin.Module}", required: PlatformLine.For(f.Target).RequiresEveryPluginPublished);
                continue;
            }

            var newer = f.PublishedPlugins.Where(p => p.Module == plugin.Module && installed is not null && PlatformVersion.TryParse(p.Version, out var v) && v > installed).Select(p => p.Version).ToList();
            yield return Create(ExtensionPublished, $"{f.Cluster}/{plugin.ClusterName}/{plugin.Module}", newer.Count > 0 ? CheckState.Passed : CheckState.NotChecked,
                "a version for the target published", newer.Count > 0 ? List(newer) : $"{plugin.Version} installed, nothing newer published",
                newer.Count > 0
                    ? $"{Describe(plugin)} is released on its own (Agnostic); newer versions are published: {List(newer)}."
                    : $"{Describe(plugin)} is released on its own (Agnostic) and nothing newer is published; whether {plugin.Version} suits {f.Target} is in the plugin's release notes. Push a newer one with violet if needed.",
                SourceOf(ExtensionPublished));
        }
    }

    public static IEnumerable<CheckResult> CvoChecks(ReadinessFacts f)
    {
        var target = $"{f.Cluster}/preflight";
        if (f.PackagePreflight is { } fromPackage)
        {
            return fromPackage;
        }

        var results = CvoPreflight.Judge(target, CvoPreflight.EntriesOf(f.ClusterVersionShadow),
            f.ClusterVersionShadow is null ? $"{f.Cluster} has no ClusterVersionShadow" : $"ClusterVersionShadow of {f.Cluster}",
            "Run Invoke-GlobalUpgradePreflight -PackagePath <extracted 4.3 package> on a control-plane node (upgrade.sh --preflight), or pass -PackagePath here.",
            CvoPreflight.ChecksFor(PlatformLine.For(f.Target)));
        return f.ClusterVersionShadow is null ? results : [CvoPreflight.SummaryOf(target, f.ClusterVersionShadow), .. results];
    }

    /// <summary>
    /// Whether a plugin of the target's line is published (ModuleConfig). Absent is Failed where the docs require the
    /// push (<paramref name="required"/>); otherwise (before 4.3) it may still come with the core package: NotChecked.
    /// </summary>
    private static CheckResult Published(ReadinessFacts f, string check, InstalledPlugin plugin, string module, string what, bool required)
    {
        var versions = f.PublishedPlugins.Where(p => p.Module == module).Select(p => p.Version).ToList();
        var match = versions.Where(v => OnLine(v, f.Target)).ToList();
        var target = $"{f.Cluster}/{plugin.ClusterName}/{plugin.Module}";
        var expected = $"{module} {f.Target.Line}.x published";
        if (match.Count > 0)
        {
            return Create(check, target, CheckState.Passed, expected, List(match), $"{what} for {f.Target.Line} is published ({List(match)}).", SourceOf(check));
        }

        var published = versions.Count == 0 ? "nothing" : List(versions);
        return required
            ? Create(check, target, CheckState.Failed, expected, published,
                $"{what} for {f.Target.Line} is not published (published: {published}). Download it from the Customer Portal and push it with violet before the window.", SourceOf(check))
            : Create(check, target, CheckState.NotChecked, expected, published,
                $"{what} for {f.Target.Line} is not published yet (published: {published}). If the core package does not bring it (check again after its image sync), push it with violet before the window.", SourceOf(check));
    }

    private static bool OnLine(string version, PlatformVersion target) => PlatformVersion.TryParse(version, out var v) && v.Line == target.Line;

    private static string Describe(InstalledPlugin p) => $"{p.Module} {p.Version} on {p.ClusterName} [{p.ObjectName}]";
}
