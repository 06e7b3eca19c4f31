using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// One cluster's upgrade (Upgrade; in DR UpgradeStandby, then UpgradePrimary): on 4.3 targets upgrade.sh --preflight
/// first (<see cref="PackagePreflightGate"/>, its results in this step's checks), then upgrade.sh --skip-sync-image, then
/// the functional components. A running trigger is re-attached (its preflight is not run again); an upgrade request
/// already on the cluster is not written again. The primary goes only once the standby runs the target (docs/safety.md rule 3), re-read on every resume.
/// </summary>
public sealed class UpgradeCluster(RunbookShape shape, ClusterSlot slot)
    : RunbookStepDefinition(!shape.IsDr ? UpgradeSteps.Upgrade : slot == ClusterSlot.Standby ? UpgradeSteps.UpgradeStandby : UpgradeSteps.UpgradePrimary, shape, slot)
{
    private const string RunIdKey = "upgradeRunId";

    public override StepPlan Plan(PlanFacts facts)
    {
        var c = facts.Of(Cluster);
        return StepPlan.DoneIf(facts.AtTarget(Cluster), facts.AtTarget(Cluster)
            ? $"{c.Name} already runs {facts.TargetVersion} ({c.Components.ObjectName} {c.Components.State})"
            : $"{(PackagePreflightGate.Applies(facts.TargetVersion) ? "upgrade.sh --preflight, then " : "")}upgrade.sh --skip-sync-image, component notices (10–15 min), then {c.Components.Kind} {c.PlatformVersion} → {facts.TargetVersion}");
    }

    public override async Task CheckPreconditionsAsync(StepContext context, CancellationToken cancellationToken)
    {
        if (Name != UpgradeSteps.UpgradePrimary)
        {
            return;
        }

        // docs/safety.md rule 3: the standby first. Re-read it: the journal alone is not proof.
        var standby = context.Cluster(ClusterSlot.Standby);
        var standbyStep = context.Journal.Step(UpgradeSteps.UpgradeStandby, standby.Name);
        var standbyVersion = await PlatformVersionReader.ReadAsync(standby, cancellationToken).ConfigureAwait(false);
        if (standbyStep.State != StepState.Succeeded || !Versions.Same(standbyVersion, context.Request.TargetVersion))
        {
            throw new GlobalUpgradeException(ErrorIds.StandbyNotUpgraded, FailureCategory.InvalidOperation,
                $"The primary is upgraded only after the standby: the standby {standby.Name} runs {standbyVersion} (step UpgradeStandby is {standbyStep.State}), not {context.Request.TargetVersion}.", Shape.Primary);
        }
    }

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var cluster = context.Cluster(Slots[0]);
        var target = context.Target(Slots[0]);
        var store = context.Engine.Upgrades;

        var recorded = context.Output(RunIdKey)?.ToString() is { Length: > 0 } runId && store.Find(runId) is { State: UpgradeRunState.Starting or UpgradeRunState.Running } found
            ? found
            : null;
        var preflight = "";
        if (recorded is null && PackagePreflightGate.Applies(request.TargetVersion))
        {
            // [doc release-4.3 UGC] the preflight right before this cluster's CVO is deployed, after its artifacts were synced.
            var checks = await PackagePreflightGate.RunAsync(context, Slots[0], cancellationToken).ConfigureAwait(false);
            context.SetChecks(checks);
            var gate = StepOutcome.FromChecks(checks, "", $"preflight checks of {cluster.Name} block its upgrade (upgrade.sh --skip-sync-image did not run)",
                " Resolve them (\"Handle preflight blocks\" in the 4.3 guide) and resume, or waive one by adding -SkipReadinessCheck <Check> when you resume.",
                PackagePreflightGate.Blocks);
            if (gate.State == StepState.Failed)
            {
                return gate;
            }

            preflight = ReadinessGate.Describe(checks, "upgrade.sh --preflight");
        }

        // Record, journal, then act: the run id is in the journal before the trigger starts, so a resume re-attaches.
        var run = recorded ?? await UpgradeService.RecordAsync(new UpgradeRequest
        {
            Target = target,
            Cluster = cluster,
            PackagePath = request.PackagePathOf(cluster),
            TargetVersion = request.TargetVersion,
            Timeout = request.StepTimeout,
            RunRoot = request.RunRoot,
            ProfileOverrides = context.Engine.Assumptions.ComponentOverrides,
            SyncStore = context.Engine.ImageSyncs,
        }, store, cancellationToken).ConfigureAwait(false);
        context.SetOutput(RunIdKey, run.Id);
        run = await UpgradeService.ContinueAsync(run, new UpgradeWaitOptions { Target = target, Cluster = cluster, Timeout = request.StepTimeout, RetryAdvice = UpgradeWaitOptions.RunbookRetryAdvice }, store, cancellationToken).ConfigureAwait(false);
        if (run.State != UpgradeRunState.Succeeded)
        {
            throw new GlobalUpgradeException(ErrorIds.UpgradeFailed, FailureCategory.InvalidOperation, $"The upgrade of {cluster.Name} ended {run.State}: {run.Message}", cluster.Name);
        }

        return StepOutcome.Succeeded($"{cluster.Name} upgraded from {run.FromVersion} to {run.ToVersion} (run {run.Id}){preflight}: {run.Message}");
    }
}
