using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>How a step shows in a plan.</summary>
public enum PlannedState
{
    WouldRun,
    Done,
    Skipped,
}

/// <summary>A step's plan line: "done / would run / skipped, because …".</summary>
public sealed record StepPlan(PlannedState State, string Because)
{
    public static StepPlan Run(string because) => new(PlannedState.WouldRun, because);

    public static StepPlan DoneIf(bool done, string because) => new(done ? PlannedState.Done : PlannedState.WouldRun, because);

    public override string ToString() => $"{State switch { PlannedState.Done => "done", PlannedState.Skipped => "skipped", _ => "would run" }}, because {Because}";
}

/// <summary>What a plan is made from: the clusters as read, the target, the package and the options given.</summary>
public sealed record PlanFacts(
    IReadOnlyList<UpgradeInspector.ClusterFacts> Clusters,
    IReadOnlyList<UpgradePathCheck> Paths,
    string TargetVersion,
    string? PackagePath,
    EtcdSyncOptions? EtcdSync)
{
    public UpgradeInspector.ClusterFacts Of(string cluster) => Clusters.First(c => c.Name == cluster);

    public bool AtTarget(string cluster) => Paths.First(p => p.Cluster == cluster).AtTarget;
}
