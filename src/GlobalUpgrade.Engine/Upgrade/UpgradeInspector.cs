using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Runbook;
using GlobalUpgrade.Runbook.Steps;

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
        var cvsh = new ComponentUpgradeProfile { Kind = ComponentUpgradeKind.ClusterVersionShadow };
        var module = new ComponentUpgradeProfile { Kind = ComponentUpgradeKind.ClusterModule };
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
        IReadOnlyDictionary<string, TimeSpan>? estimates, ImageSyncStore syncStore, EtcdSyncOptions? etcdSync, CancellationToken cancellationToken)
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

        var plan = Plan(facts, targetVersion, packagePath, estimates, etcdSync);
        plan.Readiness = await ReadinessSummaryAsync(clusters, target, cancellationToken).ConfigureAwait(false);
        return plan;
    }

    /// <summary>One line of Test-GlobalUpgradeReadiness's result (no node access, so node checks read NotChecked); a read error is said, not thrown.</summary>
    private static async Task<string> ReadinessSummaryAsync(IReadOnlyList<ClusterConnection> clusters, PlatformVersion target, CancellationToken cancellationToken)
    {
        try
        {
            var results = await Readiness.ReadinessChecker.RunAsync(new Readiness.ReadinessRequest(clusters, target), cancellationToken).ConfigureAwait(false);
            var failed = results.Where(r => r.State == CheckState.Failed).Select(r => $"{r.Check} on {r.Target}").ToList();
            var notChecked = results.Count(r => r.State == CheckState.NotChecked);
            return $"{results.Count(r => r.State == CheckState.Passed)} of {results.Count} passed, {failed.Count} failed" +
                (failed.Count > 0 ? $" ({Readiness.ReadinessResult.List(failed)}; the runbook stops on these unless -SkipReadinessCheck)" : "") +
                $", {notChecked} not checked; details: Test-GlobalUpgradeReadiness -TargetVersion {target}";
        }
        catch (GlobalUpgradeException ex)
        {
            return $"not read: {ex.Message}";
        }
    }

    /// <summary>
    /// The plan from what was read (pure; xunit covers it): the steps of the runbook the runner would run
    /// (<see cref="UpgradeRunbooks.Define"/>), each with its plan line and estimate. A Primary and a Standby make the
    /// DR runbook; otherwise each cluster gets the standard one.
    /// </summary>
    public static GlobalUpgradePlan Plan(IReadOnlyList<ClusterFacts> clusters, string targetVersion, string? packagePath, IReadOnlyDictionary<string, TimeSpan>? estimateOverrides, EtcdSyncOptions? etcdSync = null)
    {
        var target = PlatformVersion.Parse(targetVersion);
        var estimates = UpgradeSteps.Estimates(estimateOverrides);
        var paths = clusters.Select(c => PathOf(c, target, targetVersion)).ToArray();
        var facts = new PlanFacts(clusters, paths, targetVersion, packagePath, etcdSync);
        var shapes = ShapesOf(clusters, target);
        var steps = shapes.SelectMany(UpgradeRunbooks.Define).Select((step, i) =>
        {
            var plan = step.Plan(facts);
            return new UpgradePlanStep
            {
                Order = i + 1,
                Name = step.Name,
                Cluster = step.Cluster,
                AlreadyDone = plan.State == PlannedState.Done,
                WouldRun = plan.State == PlannedState.WouldRun,
                Estimate = step.Estimate(estimates),
                Reason = plan.Because,
            };
        }).ToList();

        var running = steps.Where(s => s.WouldRun).ToList();
        var syncs = running.Where(s => s.Name == UpgradeSteps.ImageSync).ToList();
        return new GlobalUpgradePlan
        {
            Kind = shapes.Any(s => s.IsDr) ? "DR" : "Standard",
            Clusters = string.Join(",", clusters.Select(c => c.Name)),
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

    /// <summary>The runbook(s) the clusters make: exactly a Primary and a Standby are one DR pair; otherwise one standard runbook each.</summary>
    public static IReadOnlyList<RunbookShape> ShapesOf(IReadOnlyList<ClusterFacts> clusters, PlatformVersion target)
    {
        var primary = clusters.FirstOrDefault(c => c.Role == ClusterRole.Primary);
        var standby = clusters.FirstOrDefault(c => c.Role == ClusterRole.Standby);
        if (primary is not null && standby is not null && clusters.Count == 2)
        {
            // Where the synchronizer lives follows the version the clusters run now (as the runner's journal records it).
            var source = PlatformVersion.TryParse(standby.PlatformVersion, out var running) ? running : target;
            return [RunbookShape.Dr(primary.Name, standby.Name, PlatformProfile.For(source))];
        }

        return clusters.Select(c => RunbookShape.Standard(c.Name)).ToList();
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
        check.Reason = reason + Offer(c, check, targetVersion);
        return check;
    }

    /// <summary>4.3+: what the Cluster Version Operator offers and the version the request would write, for the path's reason.</summary>
    private static string Offer(ClusterFacts c, UpgradePathCheck check, string targetVersion)
    {
        if (c.Components.Kind != ComponentUpgradeKind.ClusterVersionShadow)
        {
            return "";
        }

        if (!c.Components.Exists)
        {
            return "; no ClusterVersionShadow yet (upgrade.sh --skip-sync-image deploys the operator; the offer is checked before the request)";
        }

        var offered = c.Components.ClusterVersionShadow?.AvailableUpdates ?? [];
        check.AvailableUpdates = [.. offered.Select(OfferedTarget.Spell)];
        try
        {
            check.RequestVersion = OfferedTarget.Resolve(targetVersion, offered, c.Name, "");
            return $"; offered: {OfferedTarget.List(offered)}; the request writes {check.RequestVersion}";
        }
        catch (GlobalUpgradeException ex)
        {
            check.Supported = false;
            return $"; {ex.ErrorId}: offered {OfferedTarget.List(offered)}";
        }
    }

    private static TimeSpan Sum(IEnumerable<UpgradePlanStep> steps) => steps.Aggregate(TimeSpan.Zero, (total, s) => total + s.Estimate);
}
