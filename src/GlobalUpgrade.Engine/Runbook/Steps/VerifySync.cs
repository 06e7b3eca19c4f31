using GlobalUpgrade.Consistency;
using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// The monitor's /check until the standby is in sync; one leader restart if keys are missed (the documented cure);
/// surplus keys are reported, never deleted. Read-only apart from that one restart.
/// </summary>
public sealed class VerifySync(RunbookShape shape) : RunbookStepDefinition(UpgradeSteps.VerifySync, shape, ClusterSlot.Standby)
{
    private const string RestartedKey = "restarted";

    public override StepPlan Plan(PlanFacts facts) => StepPlan.Run("the synchronizer leads and /check reports no missed or surplus keys");

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var standby = context.Cluster(ClusterSlot.Standby);
        var deadline = DateTimeOffset.Now + request.VerifySyncTimeout;
        var restarted = context.Output(RestartedKey)?.Type == Newtonsoft.Json.Linq.JTokenType.Boolean && context.Output(RestartedKey)!.ToObject<bool>();
        while (true)
        {
            EtcdSyncStatus? status = null;
            try
            {
                status = await SyncMonitorClient.ReadViaProxyAsync(standby, context.Engine.Assumptions.EtcdSync, SyncMonitorClient.DefaultTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (GlobalUpgradeException ex) when (DateTimeOffset.Now < deadline)
            {
                // The monitor may still be starting after the install: an unknown state is retried, never taken as in sync.
                context.Engine.Log.Verbose($"[{standby.Name}] sync state unknown yet: {ex.Message}");
            }

            if (status is not null)
            {
                context.SetChecks([DrConsistencyChecker.FromSyncStatus(status)]);
                if (status.IsInSync)
                {
                    return StepOutcome.Succeeded($"The standby is in sync: no missed and no surplus keys{(restarted ? " (after one leader restart)" : "")}.");
                }

                if (status.SurplusCount > 0)
                {
                    return new StepOutcome(StepState.Failed, $"The standby has {status.SurplusCount} surplus keys (e.g. {string.Join(", ", status.SurplusKeys.Take(5))}). They are never deleted by this runbook: review them with the operations team, then run again with -Resume.");
                }

                if (!restarted)
                {
                    // The documented cure for missed keys: restart the synchronizer's leader, once.
                    var profile = PlatformProfile.For(PlatformVersion.Parse(request.TargetVersion)) with { EtcdSyncDetails = context.Engine.Assumptions.EtcdSync };
                    var leader = await EtcdSyncRestarter.ReadLeaderAsync(standby, profile, cancellationToken).ConfigureAwait(false);
                    await EtcdSyncRestarter.RestartAsync(standby, profile, leader, request.EtcdSync.ModuleName, request.StepTimeout, cancellationToken).ConfigureAwait(false);
                    context.SetOutput(RestartedKey, true);
                    restarted = true;
                    continue;
                }
            }

            if (DateTimeOffset.Now >= deadline)
            {
                return new StepOutcome(StepState.Failed, status is null
                    ? $"The sync state of {standby.Name} stayed UNKNOWN for {request.VerifySyncTimeout}: the monitor did not answer. Check the etcd-sync pods, then -Resume."
                    : $"The standby still misses {status.MissedCount} keys (e.g. {string.Join(", ", status.MissedKeys.Take(5))}) after a leader restart and {request.VerifySyncTimeout}. Contact support before going on; -Resume re-checks.");
            }

            // The monitor recomputes its report on its own interval; nothing to watch, so wait a little.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
    }
}
