using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// Re-installs the etcd synchronizer plugin on the standby (Install-EtcdSync with -EtcdSync's options, the standby
/// VIP and plugin version Preflight kept). The install changes nothing when the plugin is already there.
/// </summary>
public sealed class InstallEtcdSync(RunbookShape shape) : RunbookStepDefinition(UpgradeSteps.InstallEtcdSync, shape, ClusterSlot.Standby)
{
    public override StepPlan Plan(PlanFacts facts) => StepPlan.Run("re-install the etcd synchronizer on the standby");

    public override Task CheckPreconditionsAsync(StepContext context, CancellationToken cancellationToken)
    {
        ValidateInputs(context.Request);
        return Task.CompletedTask;
    }

    public override void ValidateInputs(RunbookRequest request) => _ = EtcdSyncInstallRequests.ActiveVip(request.EtcdSync);

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var standby = context.Cluster(ClusterSlot.Standby);
        var values = await RunbookValues.ReadAsync(context, cancellationToken).ConfigureAwait(false);

        // The standby runs the target by now (UpgradeStandby and UpgradePrimary succeeded): install the plugin line
        // Preflight recorded (the target's), so a resume installs what the plan said.
        var profile = PlatformProfile.For(PlatformVersion.Parse(request.TargetVersion)) with { EtcdSyncDetails = context.Engine.Assumptions.EtcdSync };
        if (profile.Version.Line != values.PluginLine)
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdSyncVersionMismatch, FailureCategory.InvalidOperation,
                $"Preflight recorded the etcd-sync line {values.PluginLine}, but the target is {request.TargetVersion}. Start a new journal for this target.", values.PluginLine);
        }

        // CheckEtcdPorts, the step before, probed the endpoints from the standby's node: the installer's own probe
        // would ask again from this machine, which is not the synchronizer's path.
        var install = EtcdSyncInstallRequests.From(request.EtcdSync, request.EtcdSyncConfig, request.Primary, standby, profile, values.StandbyVip) with { Version = values.PluginVersion, SkipEndpointCheck = true };
        var plan = await EtcdSyncInstaller.PlanAsync(install, cancellationToken).ConfigureAwait(false);
        var installation = await EtcdSyncInstaller.ExecuteAsync(plan, SynchronizerBudget(plan, request.StepTimeout), cancellationToken).ConfigureAwait(false);
        context.SetOutput("leaderPod", installation.LeaderPod ?? "");
        return StepOutcome.Succeeded($"{installation.ModuleName} {installation.Version} is {installation.Phase} on {installation.Cluster}; leader {installation.LeaderPod} started syncing at {installation.SyncStartedAt:HH:mm:ss}.");
    }

    /// <summary>
    /// The synchronizer's own budget (its waits, each bounded by <see cref="EtcdSyncWaitBudgets"/>), never more than the
    /// step's: a synchronizer that cannot connect is reported within minutes, naming the wait that stalled, while DR is off.
    /// </summary>
    internal static TimeSpan SynchronizerBudget(EtcdSyncInstallPlan plan, TimeSpan stepTimeout)
    {
        var own = plan.Request.Details.Waits.InstallTotal(plan.Line.HasBootstrapJob);
        return own < stepTimeout ? own : stepTimeout;
    }
}
