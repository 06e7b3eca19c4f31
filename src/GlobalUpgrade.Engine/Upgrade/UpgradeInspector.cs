using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// Read-only views of an upgrade: Get-GlobalUpgradeStatus (the live state plus the last recorded run) and
/// Get-GlobalUpgradePlan (path checks, the steps in the documented order, what is done, estimates and windows).
/// </summary>
public static class UpgradeInspector
{
    public static async Task<GlobalUpgradeStatus> GetStatusAsync(ClusterConnection cluster, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"[{cluster.Name}] reading productbases/{AcpResources.ProductBaseName}, the ClusterVersionShadow and the ClusterModule.");
        var productBase = await ProductBase.ReadAsync(cluster, cancellationToken).ConfigureAwait(false);
        var components = await ReadComponentsAsync(cluster, null, cancellationToken).ConfigureAwait(false);
        var status = new GlobalUpgradeStatus
        {
            Cluster = cluster.Name,
            PlatformVersion = productBase?.Version,
            PlatformPhase = productBase?.Phase,
            ComponentUpgrade = components.Exists ? components.Kind.ToString() : null,
            DesiredVersion = components.Desired,
            ComponentVersion = components.Current,
            ComponentState = components.State,
            Reason = components.Reason,
            LastRun = store.Latest(cluster.Name),
            ReadAt = DateTimeOffset.Now,
        };
        components.ClusterVersionShadow?.Describe(status);
        return status;
    }

    /// <summary>
    /// The components as the cluster carries them: its ClusterVersionShadow when there is one (4.3+), else its
    /// ClusterModule. With a target, the profile of the target decides.
    /// </summary>
    public static async Task<ComponentState> ReadComponentsAsync(ClusterConnection cluster, PlatformVersion? target, CancellationToken cancellationToken)
    {
        var cvsh = ComponentUpgradeProfile.For(new PlatformVersion(4, 3, 0, "4.3.0"));
        var module = ComponentUpgradeProfile.For(new PlatformVersion(4, 2, 0, "4.2.0"));
        if (target is not null)
        {
            var profile = ComponentUpgradeProfile.For(target);
            return ComponentState.Read(await UpgradeService.ReadComponentObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false), profile);
        }

        var shadow = await UpgradeService.ReadComponentObjectAsync(cluster, cvsh, cancellationToken).ConfigureAwait(false);
        return shadow is not null
            ? ComponentState.Read(shadow, cvsh)
            : ComponentState.Read(await UpgradeService.ReadComponentObjectAsync(cluster, module, cancellationToken).ConfigureAwait(false), module);
    }

    /// <summary>What Get-GlobalUpgradePlan knows of one cluster.</summary>
    public sealed record ClusterFacts(string Name, ClusterRole Role, string PlatformVersion, ComponentState Components, bool ImageSyncOnRecord);

    public static async Task<GlobalUpgradePlan> PlanAsync(IReadOnlyList<ClusterConnection> clusters, string targetVersion, string? packagePath,
        IReadOnlyDictionary<string, TimeSpan>? estimates, ImageSyncStore? syncStore, CancellationToken cancellationToken)
    {
        var target = PlatformVersion.Parse(targetVersion);
        var facts = new List<ClusterFacts>();
        foreach (var cluster in clusters)
        {
            OperationLog.Current.Verbose($"[{cluster.Name}] reading the platform version and {ComponentUpgradeProfile.For(target).ComponentObject}.");
            var running = await PlatformVersionReader.ReadAsync(cluster, cancellationToken).ConfigureAwait(false);
            var components = await ReadComponentsAsync(cluster, target, cancellationToken).ConfigureAwait(false);
            var synced = packagePath is not null && ImageSyncLedger.HasSucceeded(cluster.Name, ImageSyncLedger.NormalizePath(packagePath), syncStore);
            facts.Add(new ClusterFacts(cluster.Name, cluster.Info.Role, running, components, synced));
        }

        return Plan(facts, targetVersion, packagePath, estimates);
    }

    /// <summary>The plan from what was read (pure; xunit covers it).</summary>
    public static GlobalUpgradePlan Plan(IReadOnlyList<ClusterFacts> clusters, string targetVersion, string? packagePath, IReadOnlyDictionary<string, TimeSpan>? estimateOverrides)
    {
        var target = PlatformVersion.Parse(targetVersion);
        var estimates = UpgradeSteps.Estimates(estimateOverrides);
        var paths = clusters.Select(c => PathOf(c, target, targetVersion)).ToArray();
        var primary = clusters.FirstOrDefault(c => c.Role == ClusterRole.Primary);
        var standby = clusters.FirstOrDefault(c => c.Role == ClusterRole.Standby);
        var isDr = primary is not null && standby is not null && clusters.Count == 2;
        var steps = new List<UpgradePlanStep>();
        var all = string.Join(",", clusters.Select(c => c.Name));
        bool AtTarget(ClusterFacts c) => paths.First(p => p.Cluster == c.Name).AtTarget;

        void Add(string name, string cluster, bool done, string reason, TimeSpan estimate) => steps.Add(new UpgradePlanStep
        {
            Order = steps.Count + 1,
            Name = name,
            Cluster = cluster,
            AlreadyDone = done,
            WouldRun = !done,
            Estimate = estimate,
            Reason = reason,
        });

        void AddImageSync(ClusterFacts c)
        {
            var done = c.ImageSyncOnRecord || AtTarget(c);
            Add(UpgradeSteps.ImageSync, c.Name, done,
                AtTarget(c) ? $"{c.Name} already runs {targetVersion}"
                : c.ImageSyncOnRecord ? $"a successful image sync of {packagePath} is on record"
                : packagePath is null ? "no -PackagePath given: whether the images were synced is unknown"
                : $"no successful image sync of {packagePath} on record",
                estimates[UpgradeSteps.ImageSync]);
        }

        void AddUpgrade(string name, ClusterFacts c) => Add(name, c.Name, AtTarget(c),
            AtTarget(c) ? $"{c.Name} already runs {targetVersion} ({c.Components.ObjectName} {c.Components.State})"
            : $"upgrade.sh --skip-sync-image, component notices (10–15 min), then {c.Components.Kind} {c.PlatformVersion} → {targetVersion}",
            estimates[name]);

        var allDone = clusters.Count > 0 && clusters.All(AtTarget);
        if (isDr)
        {
            var syncHost = PlatformProfile.For(PlatformVersion.TryParse(standby!.PlatformVersion, out var v) ? v : target).EtcdSyncHost;
            var hostName = syncHost == ClusterRole.Standby ? standby.Name : primary!.Name;
            Add(UpgradeSteps.Preflight, all, false, "data consistency (etcd-sync /check), every Machine Running, components settled", estimates[UpgradeSteps.Preflight]);
            AddImageSync(standby);
            AddImageSync(primary!);
            Add(UpgradeSteps.UninstallEtcdSync, hostName, allDone, allDone ? "both clusters already run the target" : $"the etcd synchronizer is removed on the {syncHost.ToString().ToLowerInvariant()} before the upgrade", estimates[UpgradeSteps.UninstallEtcdSync]);
            AddUpgrade(UpgradeSteps.UpgradeStandby, standby);
            AddUpgrade(UpgradeSteps.UpgradePrimary, primary!);
            Add(UpgradeSteps.CheckEtcdPorts, all, false, "port 2379 forwarded from both VIPs to the control-plane nodes", estimates[UpgradeSteps.CheckEtcdPorts]);
            Add(UpgradeSteps.InstallEtcdSync, standby.Name, false, "re-install the etcd synchronizer on the standby", estimates[UpgradeSteps.InstallEtcdSync]);
            Add(UpgradeSteps.VerifySync, all, false, "the synchronizer leads and /check reports no missed or surplus keys", estimates[UpgradeSteps.VerifySync]);
            Add(UpgradeSteps.PostChecks, all, false, "versions, Machines, components", estimates[UpgradeSteps.PostChecks]);
        }
        else
        {
            foreach (var c in clusters)
            {
                Add(UpgradeSteps.Preflight, c.Name, false, "every Machine Running, components settled", estimates[UpgradeSteps.Preflight]);
                AddImageSync(c);
                AddUpgrade(UpgradeSteps.Upgrade, c);
                Add(UpgradeSteps.PostChecks, c.Name, false, "versions, Machines, components", estimates[UpgradeSteps.PostChecks]);
            }
        }

        var running = steps.Where(s => s.WouldRun).ToList();
        var syncs = running.Where(s => s.Name == UpgradeSteps.ImageSync).ToList();
        return new GlobalUpgradePlan
        {
            Kind = isDr ? "DR" : "Standard",
            Clusters = all,
            TargetVersion = targetVersion,
            PackagePath = packagePath,
            PathSupported = paths.All(p => p.Supported || p.AtTarget),
            Paths = paths,
            Steps = [.. steps],
            SequentialWindow = Sum(running),
            PrestagedWindow = Sum(running.Except(syncs)),
            PrestageLead = syncs.Count == 0 ? TimeSpan.Zero : syncs.Max(s => s.Estimate),
        };
    }

    private static UpgradePathCheck PathOf(ClusterFacts c, PlatformVersion target, string targetVersion)
    {
        var check = new UpgradePathCheck { Cluster = c.Name, FromVersion = c.PlatformVersion, ToVersion = targetVersion, ComponentUpgrade = ComponentUpgradeProfile.For(target).Kind.ToString() };
        if (!PlatformVersion.TryParse(c.PlatformVersion, out var from))
        {
            check.Reason = $"the running version '{c.PlatformVersion}' is not a version";
            return check;
        }

        if (from.CompareTo(target) == 0)
        {
            check.AtTarget = c.Components.IsAt(targetVersion) || !c.Components.Exists;
            check.Supported = true;
            check.Reason = check.AtTarget ? $"already at {targetVersion}" : $"ProductBase at {targetVersion}; {c.Components.ObjectName} is {c.Components.State}";
            return check;
        }

        check.Supported = UpgradePaths.IsSupported(from, target, out var reason);
        check.Reason = reason;
        return check;
    }

    private static TimeSpan Sum(IEnumerable<UpgradePlanStep> steps) => steps.Aggregate(TimeSpan.Zero, (total, s) => total + s.Estimate);
}
