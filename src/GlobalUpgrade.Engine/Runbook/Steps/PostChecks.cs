using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// After the upgrade: Machines, plugins, components and the target version on every cluster, then the documented
/// post-upgrade items a machine can check (<see cref="PostUpgradeConditions"/>). Read-only. A Failed item fails the
/// step unless waived with -SkipReadinessCheck; a NotChecked one never counts as passed and is named in the message.
/// </summary>
public sealed class PostChecks(RunbookShape shape) : RunbookStepDefinition(UpgradeSteps.PostChecks, shape, [.. shape.All])
{
    public override StepPlan Plan(PlanFacts facts) => StepPlan.Run("versions, Machines, components, the documented post-upgrade items (GitOps pods, Agnostic and L5 plugins; before 4.3 no plugin downgraded or left behind)");

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var values = await RunbookValues.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        var fromLines = values.Versions.Values.Select(v => PlatformVersion.TryParse(v, out var p) ? p.Line : null).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var checks = new List<CheckResult>();
        var items = new List<CheckResult>();
        foreach (var cluster in Slots.Select(context.Cluster))
        {
            checks.AddRange(await Settled.ChecksAsync(cluster, cancellationToken).ConfigureAwait(false));
            var version = await PlatformVersionReader.ReadAsync(cluster, cancellationToken).ConfigureAwait(false);
            checks.Add(new CheckResult
            {
                Check = "PlatformVersion",
                Target = cluster.Name,
                State = CheckResult.Made(Versions.Same(version, context.Request.TargetVersion)),
                Expected = context.Request.TargetVersion,
                Actual = version,
                Message = $"{cluster.Name} runs {version}.",
            });
            items.AddRange(await ReadinessGate.PostUpgradeAsync(context.Request, context.Engine.Assumptions.Readiness, cluster, fromLines, ComponentVersionRecord.Read(context, cluster.Name), cancellationToken).ConfigureAwait(false));
        }

        checks.AddRange(items);
        context.SetChecks(checks);
        return StepOutcome.FromChecks(checks, $"{checks.Count(c => c.Passed)} of {checks.Count} post-upgrade checks passed{ReadinessGate.Describe(items, "post-upgrade items")}.", "post-upgrade checks failed",
            " Fix them, or waive an item by adding -SkipReadinessCheck <Check> when you resume.",
            blocks: c => items.Contains(c) ? ReadinessGate.Blocks(c) : !c.Passed);
    }
}
