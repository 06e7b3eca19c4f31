using GlobalUpgrade.Platform;
using static GlobalUpgrade.Readiness.ReadinessResult;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// The documented steps a machine cannot do (<see cref="ManualSteps"/>) as conditions, so none goes unseen: each is
/// Failed where the API shows it is not done, Passed where it shows it is, otherwise NotChecked "needs a person" with
/// its citation. Before the upgrade the readiness gate shows the steps before it; after it, PostChecks the others.
/// </summary>
public static class ManualStepConditions
{
    /// <summary>The name the readiness and post-upgrade tables register these under.</summary>
    public const string Name = "ManualSteps";

    public const string Source = "release-4.0 … release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx and pre-upgrade.mdx: the documented steps that need a person, per path (Platform/ManualSteps.cs cites each)";

    /// <summary>Whether the path has a step to show before the upgrade.</summary>
    public static bool HasStepsBefore(PlatformVersion from, PlatformVersion to) => ManualSteps.Of(from, to, dr: false).Any(s => s.Phase == ManualStepPhase.BeforeUpgrade);

    /// <summary>The steps before the upgrade of this cluster's path (DR-only ones are Preflight's, it knows the pair).</summary>
    public static IEnumerable<CheckResult> BeforeUpgrade(ReadinessFacts f) =>
        f.From is not { } from ? [] : ManualSteps.Of(from, f.Target, dr: false).Where(s => s.Phase == ManualStepPhase.BeforeUpgrade).Select(s => Before(f, s));

    /// <summary>The steps after the upgrade (and before the workload clusters) of the paths the clusters came from.</summary>
    public static IEnumerable<CheckResult> AfterUpgrade(PostUpgradeFacts f) =>
        f.FromLines
            .Select(line => PlatformVersion.TryParse(line, out var from) ? from : null)
            .OfType<PlatformVersion>()
            .SelectMany(from => ManualSteps.Of(from, f.Target, dr: false))
            .Where(s => s.Phase != ManualStepPhase.BeforeUpgrade)
            .DistinctBy(s => s.Check)
            .Select(s => After(f, s));

    /// <summary>Detail key (true) on a NotChecked result that only a person can check: the shipped readiness suite reports it Inconclusive, not failed.</summary>
    public const string NeedsPersonKey = "NeedsPerson";

    /// <summary>A step only a person can confirm.</summary>
    public static CheckResult NeedsAPerson(string cluster, ManualStep step) =>
        Create(step.Check, cluster, CheckState.NotChecked, "done by a person", null,
            $"Needs a person ({ManualSteps.Describe(step.Phase)}): {step.Action} {step.Source}", step.Source,
            new Dictionary<string, object?> { [NeedsPersonKey] = true });

    private static CheckResult Before(ReadinessFacts f, ManualStep step)
    {
        if (step.Check == "TopoLvmRemoved")
        {
            // [doc release-4.1 UGC "(Conditional) Remove TopoLVM"]: kubectl delete minfo $(kubectl get minfo | grep topolvm-migrate-catalog-updater | grep $cluster_name ...)
            var left = f.InstalledPlugins.Where(p => p.Module == ManualSteps.TopoLvmMigrateModule || p.ObjectName.Contains(ManualSteps.TopoLvmMigrateModule, StringComparison.Ordinal)).ToList();
            if (left.Count > 0)
            {
                return Create(step.Check, f.Cluster, CheckState.Failed, $"no {ManualSteps.TopoLvmMigrateModule} ModuleInfo", string.Join(", ", left.Select(p => $"{p.ObjectName} ({p.ClusterName})")),
                    $"TopoLVM is not removed yet: the {ManualSteps.TopoLvmMigrateModule} ModuleInfo is still there ({string.Join(", ", left.Select(p => p.ObjectName))}). {step.Action} {step.Source}", step.Source);
            }
        }

        return NeedsAPerson(f.Cluster, step);
    }

    private static CheckResult After(PostUpgradeFacts f, ManualStep step)
    {
        if (step.PluginDisplayName is { } name)
        {
            var installed = f.InstalledPlugins.FirstOrDefault(p => string.Equals(p.DisplayName, name, StringComparison.OrdinalIgnoreCase));
            if (installed is not null)
            {
                return Create(step.Check, f.Cluster, CheckState.Passed, $"{name} installed", $"{installed.Module} {installed.Version} on {installed.ClusterName}",
                    $"{name} is installed ({installed.Module} {installed.Version} on {installed.ClusterName}). {step.Source}", step.Source);
            }
        }

        return NeedsAPerson(f.Cluster, step);
    }
}
