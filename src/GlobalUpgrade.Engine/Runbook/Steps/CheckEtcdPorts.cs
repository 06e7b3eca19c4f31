using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>Port 2379 of both VIPs (or the endpoints given) answers, before the synchronizer is re-installed. Read-only.</summary>
public sealed class CheckEtcdPorts(RunbookShape shape) : RunbookStepDefinition(UpgradeSteps.CheckEtcdPorts, shape, [.. shape.All])
{
    public override StepPlan Plan(PlanFacts facts) => facts.EtcdSync?.SkipEndpointCheck == true
        ? new StepPlan(PlannedState.Skipped, "-EtcdSync @{ SkipEndpointCheck = $true } was given")
        : StepPlan.Run("port 2379 forwarded from both VIPs to the control-plane nodes");

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
        if (context.Request.EtcdSync.SkipEndpointCheck)
        {
            return StepOutcome.Skipped("Skipped on request (-EtcdSync @{ SkipEndpointCheck = $true }).");
        }

        var values = await RunbookValues.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        var endpoints = EtcdSyncInstallRequests.Endpoints(context.Request.EtcdSync, values.StandbyVip!).ToList();
        var check = new TcpEndpointCheck();
        var results = await Task.WhenAll(endpoints.Select(e => check.CheckAsync(e, TimeSpan.FromSeconds(10), cancellationToken))).ConfigureAwait(false);
        context.SetChecks(results);
        var failed = results.Where(r => !r.Passed).ToList();
        return failed.Count == 0
            ? StepOutcome.Succeeded($"Port 2379 answers on {string.Join(", ", endpoints.Select(e => e.Authority))}.")
            : new StepOutcome(StepState.Failed, $"{string.Join(" ", failed.Select(f => f.Message))} Then run again with -Resume.");
    }
}
