using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// Removes the etcd synchronizer where the source version keeps it (4.x: the standby; 3.16/3.18: the primary),
/// never while the standby lacks data. Nothing to do once it is gone.
/// </summary>
public sealed class UninstallEtcdSync(RunbookShape shape) : RunbookStepDefinition(UpgradeSteps.UninstallEtcdSync, shape, shape.EtcdSyncSlot)
{
    public override StepPlan Plan(PlanFacts facts)
    {
        var allDone = Shape.All.All(s => facts.AtTarget(Shape.NameOf(s)));
        return StepPlan.DoneIf(allDone, allDone
            ? "both clusters already run the target"
            : $"the etcd synchronizer is removed on the {Shape.EtcdSyncHost.ToString().ToLowerInvariant()} before the upgrade");
    }

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var profile = PlatformProfile.For(PlatformVersion.Parse(context.Journal.Document.SourceVersion)) with { EtcdSyncDetails = context.Engine.Assumptions.EtcdSync };
        var host = context.Cluster(Slots[0]);
        var plan = await EtcdSyncUninstaller.PlanAsync(host, profile, request.EtcdSync.ModuleName, cancellationToken).ConfigureAwait(false);
        if (plan.NothingToDo)
        {
            return StepOutcome.Succeeded($"The etcd synchronizer is not installed on {host.Name} (already removed).");
        }

        // The gate of the whole procedure: never remove the synchronizer while the standby lacks data.
        var failed = await EtcdSyncGuard.FailedChecksAsync(request.Primary, request.Standby!, profile.EtcdSyncDetails, SyncMonitorClient.DefaultTimeout, cancellationToken, request.ConsistencyAttestation).ConfigureAwait(false);
        if (failed.Count > 0)
        {
            context.SetChecks(failed);
            throw new GlobalUpgradeException(ErrorIds.StandbyNotConsistent, FailureCategory.InvalidOperation,
                $"The etcd synchronizer was NOT removed: {EtcdSyncGuard.Describe(failed)} Fix this (Restart-EtcdSync cures missed keys; surplus keys need review), then run again with -Resume.", host.Name);
        }

        // The 3.16 Helm era removes its releases with helm3 on the host cluster's node first [doc]; that node is the step's target.
        await EtcdSyncUninstaller.ExecuteAsync(plan, request.StepTimeout, runOnNode: context.Target(Slots[0]), cancellationToken).ConfigureAwait(false);
        return StepOutcome.Succeeded($"Removed {plan.Describe()}.");
    }
}
