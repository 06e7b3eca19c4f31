using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// Port 2379 as the synchronizer will use it, before it is re-installed: from the standby's control-plane node, each
/// cluster's etcd endpoint (the VIP, or the endpoints given) answers as that cluster's etcd. Read-only.
/// </summary>
public sealed class CheckEtcdPorts(RunbookShape shape) : RunbookStepDefinition(UpgradeSteps.CheckEtcdPorts, shape, [.. shape.All])
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public override StepPlan Plan(PlanFacts facts) => facts.EtcdSync?.SkipEndpointCheck == true
        ? new StepPlan(PlannedState.Skipped, "-EtcdSync @{ SkipEndpointCheck = $true } was given")
        : StepPlan.Run("each cluster's etcd answers on port 2379 from the standby's control-plane node, where the synchronizer runs");

    public override Task CheckPreconditionsAsync(StepContext context, CancellationToken cancellationToken)
    {
        ValidateInputs(context.Request);
        return Task.CompletedTask;
    }

    public override void ValidateInputs(RunbookRequest request)
    {
        if (!request.EtcdSync.SkipEndpointCheck)
        {
            _ = EtcdSyncInstallRequests.ActiveVip(request.EtcdSync);
        }
    }

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var options = context.Request.EtcdSync;
        if (options.SkipEndpointCheck)
        {
            return StepOutcome.Skipped("Skipped on request (-EtcdSync @{ SkipEndpointCheck = $true }).");
        }

        var values = await RunbookValues.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        var standbyNode = context.Target(ClusterSlot.Standby);
        var pki = EtcdNodePki.From(options);
        var probes = EtcdSyncInstallRequests.ActiveEndpoints(options).Select(e => (Endpoint: e, Cluster: "active", PkiNode: context.Target(ClusterSlot.Primary)))
            .Concat(EtcdSyncInstallRequests.StandbyEndpoints(options, values.StandbyVip!).Select(e => (Endpoint: e, Cluster: "standby", PkiNode: standbyNode)));

        // One endpoint after the other: they share one SSH session per node (the command's), and its forwards.
        var sessions = context.Engine.Sessions;
        var results = new List<CheckResult>();
        foreach (var (endpoint, cluster, pkiNode) in probes)
        {
            results.Add(await EtcdPathCheck.CheckAsync(sessions, standbyNode, cluster, pkiNode, pki, endpoint, ProbeTimeout, cancellationToken).ConfigureAwait(false));
        }

        context.SetChecks(results);
        return StepOutcome.FromChecks(results, $"Each cluster's etcd answers from the standby's node: {string.Join(", ", results.Select(r => r.Target))}.", "etcd endpoints not proven from the standby", " Then run again with -Resume.");
    }
}
