using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>After the upgrade: Machines, plugins, components and the target version on every cluster. Read-only.</summary>
public sealed class PostChecks(RunbookShape shape) : RunbookStepDefinition(UpgradeSteps.PostChecks, shape, [.. shape.All])
{
    public override StepPlan Plan(PlanFacts facts) => StepPlan.Run("versions, Machines, components");

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var checks = new List<CheckResult>();
        foreach (var cluster in Slots.Select(context.Cluster))
        {
            checks.AddRange(await Settled.ChecksAsync(cluster, cancellationToken).ConfigureAwait(false));
            var version = await PlatformVersionReader.ReadAsync(cluster, cancellationToken).ConfigureAwait(false);
            checks.Add(new CheckResult
            {
                Check = "PlatformVersion",
                Target = cluster.Name,
                Passed = Versions.Same(version, context.Request.TargetVersion),
                Expected = context.Request.TargetVersion,
                Actual = version,
                Message = $"{cluster.Name} runs {version}.",
            });
        }

        context.SetChecks(checks);
        return StepOutcome.FromChecks(checks, $"All {checks.Count} post-upgrade checks passed.", "post-upgrade checks failed");
    }
}
