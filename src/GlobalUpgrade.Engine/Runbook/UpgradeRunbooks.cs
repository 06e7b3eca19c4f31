using GlobalUpgrade.Runbook.Steps;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// The documented procedures as runbook steps (docs/runbook.md, from [doc release-4.x upgrade/upgrade_global_cluster.mdx]): the global DR order and the standard one.
/// The one list of each: the runner runs it, -WhatIf and Get-GlobalUpgradePlan show it, -PauseBefore offers its names.
/// Every step is safe to run again after a crash: it looks at the clusters (and at its own outputs in the journal)
/// before it changes anything, and re-attaches to detached work instead of starting it twice.
/// </summary>
public static class UpgradeRunbooks
{
    public const string DrRunbook = "GlobalDrUpgrade";
    public const string StandardRunbook = "GlobalUpgrade";

    public static IReadOnlyList<RunbookStepDefinition> Define(RunbookShape shape) => shape.IsDr
        ?
        [
            new Preflight(shape),
            new Steps.ImageSync(shape, ClusterSlot.Standby),
            new Steps.ImageSync(shape, ClusterSlot.Primary),
            new UninstallEtcdSync(shape),
            new UpgradeCluster(shape, ClusterSlot.Standby),
            new UpgradeCluster(shape, ClusterSlot.Primary),
            new CheckEtcdPorts(shape),
            new InstallEtcdSync(shape),
            new VerifySync(shape),
            new PostChecks(shape),
        ]
        :
        [
            new Preflight(shape),
            new Steps.ImageSync(shape, ClusterSlot.Primary),
            new UpgradeCluster(shape, ClusterSlot.Primary),
            new PostChecks(shape),
        ];

    /// <summary>Every step name of either runbook, in order of first appearance (-PauseBefore's values).</summary>
    public static IReadOnlyList<string> StepNames { get; } =
        Define(new RunbookShape("primary", "standby", ClusterRole.Standby)).Concat(Define(RunbookShape.Standard("global")))
            .Select(s => s.Name).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The journal entries for a new runbook.</summary>
    public static JournalDocument NewJournal(RunbookRequest request, IReadOnlyList<RunbookStepDefinition> steps, string sourceVersion)
    {
        var inputs = request.DescribeInputs();
        return new JournalDocument
        {
            Runbook = request.IsDr ? DrRunbook : StandardRunbook,
            TargetVersion = request.TargetVersion,
            SourceVersion = sourceVersion,
            Inputs = inputs,
            InputsDigest = RunbookJournal.Digest(inputs),
            Steps = steps.Select(s => new JournalStep { Name = s.Name, Cluster = s.Cluster, State = StepState.Pending }).ToList(),
        };
    }
}
