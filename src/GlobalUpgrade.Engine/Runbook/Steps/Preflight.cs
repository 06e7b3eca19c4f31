using GlobalUpgrade.Consistency;
using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// The version path, a 4.3+ target the Cluster Version Operator offers (when it is deployed already), the clusters' state (DR: Test-GlobalDrConsistency, the standby's alternativeURLs and the
/// target's synchronizer pushed to the standby, <see cref="PreflightTargetSynchronizer"/>) and the
/// values later steps share (<see cref="RunbookValues"/>). Read-only.
/// </summary>
public sealed class Preflight(RunbookShape shape) : RunbookStepDefinition(UpgradeSteps.Preflight, shape, [.. shape.All])
{
    public override StepPlan Plan(PlanFacts facts) => StepPlan.Run(Shape.IsDr
        ? "data consistency (etcd-sync /check), every Machine Running, components settled, the target's etcd synchronizer pushed to the standby, the readiness conditions (Test-GlobalUpgradeReadiness)"
        : "every Machine Running, components settled, the readiness conditions (Test-GlobalUpgradeReadiness)");

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;

        // Everything a later step needs from the user is checked now, before anything changes on either cluster.
        request.Validate();
        foreach (var step in UpgradeRunbooks.Define(Shape))
        {
            step.ValidateInputs(request);
        }

        var values = await RunbookValues.ComputeAsync(request, cancellationToken).ConfigureAwait(false);
        var target = PlatformVersion.Parse(request.TargetVersion);
        foreach (var (cluster, version) in values.Versions)
        {
            var from = PlatformVersion.Parse(version);
            if (from.CompareTo(target) != 0 && !UpgradePaths.IsSupported(from, target, out var reason))
            {
                throw new GlobalUpgradeException(ErrorIds.UnsupportedUpgradePath, FailureCategory.InvalidOperation,
                    $"{cluster} runs {from} and cannot be upgraded to {target}: {reason}. Nothing was changed.", cluster);
            }
        }

        // 4.3+: a target the Cluster Version Operator does not offer is refused before the synchronizer is removed.
        foreach (var cluster in request.Standby is { } dr ? [dr, request.Primary] : new[] { request.Primary })
        {
            if (values.Versions.TryGetValue(cluster.Name, out var running) && PlatformVersion.Parse(running).CompareTo(target) != 0)
            {
                await OfferedTarget.RefuseUnofferedAsync(cluster, request.TargetVersion, cancellationToken).ConfigureAwait(false);
            }
        }

        values.Save(context);
        await ComponentVersionRecord.SaveAsync(context, request.Standby is { } pair ? [pair, request.Primary] : [request.Primary], cancellationToken).ConfigureAwait(false);
        var checks = new List<CheckResult>();
        var gated = new List<CheckResult>();
        if (request.Standby is { } standby)
        {
            var consistency = await DrConsistencyChecker.RunAsync(new DrConsistencyRequest(request.Primary, standby, ConsistencySource.Monitor, context.Engine.Assumptions.EtcdSync, SyncMonitorClient.DefaultTimeout, Keyspace: null), cancellationToken).ConfigureAwait(false);
            checks.AddRange(ReadinessGate.WaiveStricterThanDocs(ConsistencyAttestation.Apply(consistency, request.ConsistencyAttestation), request));
            if (request.ConsistencyAttestation is { } attestation)
            {
                context.SetOutput("consistencyAttestation", attestation);
            }
            checks.Add(await AlternativeUrlCheckAsync(request, standby, cancellationToken).ConfigureAwait(false));
            gated.Add(ReadinessGate.Waive(await PreflightTargetSynchronizer.RunAsync(request, standby, values.StandbyVip, context.Engine.Assumptions.EtcdSync, cancellationToken).ConfigureAwait(false), request.SkipReadinessCheck));
            gated.AddRange(ManualSteps.Of(PlatformVersion.Parse(values.VersionOf(standby.Name)), target, dr: true).Where(s => s.DrOnly).Select(s => Readiness.ManualStepConditions.NeedsAPerson(standby.Name, s)));
            checks.AddRange(gated);
        }
        else
        {
            checks.AddRange(await Settled.ChecksAsync(request.Primary, cancellationToken).ConfigureAwait(false));
        }

        var readiness = await ReadinessAsync(context, cancellationToken).ConfigureAwait(false);
        checks.AddRange(readiness);
        context.SetChecks(checks);
        return StepOutcome.FromChecks(checks,
            $"{checks.Count(c => c.Passed)} checks passed{ReadinessGate.Describe(readiness)}; {string.Join(", ", values.Versions.Select(v => $"{v.Key} runs {v.Value}"))}; target {request.TargetVersion}; then {values.DescribePlugin()}.",
            $"of {checks.Count} checks failed",
            " Fix them, or waive a readiness condition by adding -SkipReadinessCheck <Check> when you resume.",
            blocks: c => readiness.Contains(c) || ReadinessGate.IsStricterThanDocs(c) || gated.Contains(c) ? ReadinessGate.Blocks(c) : !c.Passed && !ConsistencyAttestation.IsAttested(c) && !IsNotRequired(c));
    }

    /// <summary>The readiness gate (docs/runbook.md), recorded with the waivers the operator gave.</summary>
    private static async Task<IReadOnlyList<CheckResult>> ReadinessAsync(StepContext context, CancellationToken cancellationToken)
    {
        var readiness = await ReadinessGate.RunAsync(context.Request, context.Engine.Assumptions.Readiness, cancellationToken).ConfigureAwait(false);
        context.SetOutput("skipReadinessCheck", new JArray(context.Request.SkipReadinessCheck));
        return readiness;
    }

    private const string NotRequiredKey = "NotRequired";

    private static bool IsNotRequired(CheckResult check) => check.Detail?.ContainsKey(NotRequiredKey) == true;

    /// <summary>
    /// https://&lt;standby VIP&gt; in the standby's spec.alternativeURLs, where the target line asks for it (see
    /// <see cref="PlatformLine.RequiresStandbyAlternativeUrl"/>), against the VIP the operator gave: a VIP read from
    /// that same list would always be found there.
    /// </summary>
    private static async Task<CheckResult> AlternativeUrlCheckAsync(RunbookRequest request, Kubernetes.ClusterConnection standby, CancellationToken cancellationToken)
    {
        const string check = "StandbyAlternativeUrl";
        if (!PlatformLine.For(PlatformVersion.Parse(request.TargetVersion)).RequiresStandbyAlternativeUrl && !request.StandbyWebConsole)
        {
            return new CheckResult
            {
                Check = check,
                Target = standby.Name,
                State = CheckState.NotChecked,
                Message = $"Not required: the {request.TargetVersion} docs ask for https://<standby VIP> in the standby's spec.alternativeURLs only if you will use the Web Console on the standby (add -StandbyWebConsole to check it).",
                Detail = new Dictionary<string, object?> { [NotRequiredKey] = true },
            };
        }

        if (request.StandbyVip is not { } vip)
        {
            return Consistency.NotChecked.Result(check, standby.Name, ErrorIds.StandbyVipRequired,
                "give -StandbyVip: the docs ask for https://<standby VIP> in the standby's spec.alternativeURLs before its upgrade, and a VIP taken from that list would always be found in it.");
        }

        var productBase = await ProductBase.ReadAsync(standby, cancellationToken).ConfigureAwait(false);
        var urls = productBase?.AlternativeUrls ?? [];
        var expected = $"https://{vip}";
        var found = productBase?.ListsAlternativeUrl(vip) == true;
        var actual = urls.Count == 0 ? "none" : string.Join(", ", urls);
        return new CheckResult
        {
            Check = check,
            Target = standby.Name,
            State = CheckResult.Made(found),
            Expected = expected,
            Actual = actual,
            Message = found
                ? $"The standby's ProductBase lists {expected} in spec.alternativeURLs."
                : $"The standby's ProductBase spec.alternativeURLs lacks {expected} (it has {actual}); add it before upgrading the standby, or give the right -StandbyVip.",
        };
    }
}
