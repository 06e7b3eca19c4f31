using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.Readiness;

public sealed record AdminGateApprovalRequest(ClusterConnection Cluster, string Name)
{
    public NodeAccess NodeAccess { get; init; }

    /// <summary>The SSH options (Named: with ComputerName; ControlPlane: ComputerName replaced per Machine of the global cluster).</summary>
    public RemoteTarget Node { get; init; } = RemoteTarget.Local;

    /// <summary>Acknowledge although the prerequisite is not Passed; recorded on admin-acks and in the output.</summary>
    public bool Force { get; init; }

    /// <summary>What is written and how long AdminAckRequired is read again (-Assumption).</summary>
    public ReadinessAssumptions Assumptions { get; init; } = ReadinessAssumptions.Default;
}

/// <summary>The gate, its prerequisite as checked now, and whether it may be acknowledged.</summary>
public sealed record AdminGatePlan(AdminGateApprovalRequest Request, AdminGate Gate, IReadOnlyList<CheckResult> Prerequisite)
{
    public bool? PrerequisiteMet => AdminGateRules.IsMet(Prerequisite);
}

/// <summary>
/// Acknowledges one administrator gate as the docs do it [doc master UGC "Handle administrator acknowledgement
/// gates"]: only after the gate's own prerequisite is met (the 4.4 gate: the node readiness checks on every node),
/// then the preflight is read again. <see cref="PlanAsync"/> reads and checks (no change); <see cref="ApplyAsync"/>
/// writes admin-acks.
/// </summary>
public static class AdminGateApprover
{
    public static async Task<AdminGatePlan> PlanAsync(AdminGateApprovalRequest request, CancellationToken cancellationToken)
    {
        var cluster = request.Cluster;
        var gates = await AdminGateConfigMaps.ReadAsync(cluster, request.Assumptions, cancellationToken).ConfigureAwait(false)
            ?? throw new GlobalUpgradeException(ErrorIds.AdminGatesNotFound, FailureCategory.ObjectNotFound,
                $"{cluster.Name} has no ConfigMap {AdminGateConfigMaps.Namespace}/{AdminGateConfigMaps.GatesName}: the target release's gates are not on the cluster, so there is nothing to acknowledge. Nothing was changed.", request.Name);
        var gate = gates.FirstOrDefault(g => g.Name == request.Name)
            ?? throw new GlobalUpgradeException(ErrorIds.AdminGateNotFound, FailureCategory.ObjectNotFound,
                $"{AdminGateConfigMaps.Namespace}/{AdminGateConfigMaps.GatesName} on {cluster.Name} has no gate '{request.Name}' (it has: {(gates.Count == 0 ? "none" : string.Join(", ", gates.Select(g => g.Name)))}). Nothing was changed.", request.Name);
        if (gate.Acknowledged)
        {
            return new AdminGatePlan(request, gate, []);
        }

        IReadOnlyList<CheckResult> prerequisite;
        if (gate.Definition?.NodeReadiness is not null)
        {
            var machines = await cluster.ListAsync(AcpResources.Machines, null, null, cancellationToken).ConfigureAwait(false);
            var nodes = machines.Select(Machine.From).Where(m => m.ClusterName == AcpResources.GlobalClusterName).Select(m => m.IP ?? m.Name).Order(StringComparer.Ordinal).ToList();
            var measured = await ReadinessChecker.MeasureKernelsAsync(request.NodeAccess, request.Node, nodes, cancellationToken).ConfigureAwait(false);
            prerequisite = AdminGateRules.Prerequisite(cluster.Name, gate, nodes, measured);
        }
        else
        {
            prerequisite = AdminGateRules.Prerequisite(cluster.Name, gate, [], null);
        }

        var plan = new AdminGatePlan(request, gate, prerequisite);
        if (plan.PrerequisiteMet != true && !request.Force)
        {
            var open = prerequisite.Where(c => c.State != CheckState.Passed).ToList();
            throw new GlobalUpgradeException(ErrorIds.AdminGatePrerequisiteNotMet, FailureCategory.InvalidOperation,
                $"Gate {gate.Name} on {cluster.Name} requires {AdminGateRules.Requires(gate)}, and that is {(plan.PrerequisiteMet == false ? "not met" : "not checked")}: " +
                $"{ReadinessResult.List(open.Select(c => $"{c.Check} {c.State} on {c.Target}"))}. {open.FirstOrDefault()?.Message} " +
                "Fix it (or give node access so it can be checked) and run again; -Force acknowledges anyway and records that on admin-acks. Nothing was changed.", request.Name);
        }

        return plan;
    }

    private static readonly TimeSpan ReevaluationPoll = TimeSpan.FromMilliseconds(500);

    private static async Task<CheckResult?> ReadAdminAckAsync(ClusterConnection cluster, CancellationToken cancellationToken) =>
        (await UpgradePreflight.ReadFromClusterAsync(cluster, cancellationToken).ConfigureAwait(false)).FirstOrDefault(c => c.Check == ReadinessCheckNames.AdminAckRequired);

    /// <summary>Writes the acknowledgement (unless already there) and reads the preflight's AdminAckRequired again, for a while until it passes.</summary>
    public static async Task<AdminGateApproval> ApplyAsync(AdminGatePlan plan, CancellationToken cancellationToken)
    {
        var cluster = plan.Request.Cluster;
        var assumptions = plan.Request.Assumptions;
        var gate = plan.Gate;
        var forced = !gate.Acknowledged && plan.PrerequisiteMet != true;
        if (!gate.Acknowledged)
        {
            var note = forced
                ? $"acknowledged with -Force at {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} while the prerequisite was {(plan.PrerequisiteMet == false ? "not met" : "not checked")}: {ReadinessResult.List(plan.Prerequisite.Where(c => c.State != CheckState.Passed).Select(c => $"{c.Check} {c.State} on {c.Target}"))}"
                : null;
            await AdminGateConfigMaps.AcknowledgeAsync(cluster, gate.Name, note, assumptions, cancellationToken).ConfigureAwait(false);
        }

        var now = await AdminGateConfigMaps.ReadAsync(cluster, assumptions, cancellationToken).ConfigureAwait(false);
        var acknowledged = now?.FirstOrDefault(g => g.Name == gate.Name)?.Acknowledged == true;
        var adminAck = await ReadAdminAckAsync(cluster, cancellationToken).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + assumptions.AdminGateReevaluationTimeout;
        while (!gate.Acknowledged && adminAck is { State: not CheckState.Passed } && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(ReevaluationPoll, cancellationToken).ConfigureAwait(false);
            adminAck = await ReadAdminAckAsync(cluster, cancellationToken).ConfigureAwait(false);
        }

        adminAck ??= ReadinessResult.Create(ReadinessCheckNames.AdminAckRequired, $"{cluster.Name}/preflight", CheckState.NotChecked, "Passed", "no result",
                $"The ClusterVersionShadow of {cluster.Name} reports no AdminAckRequired yet. Run the preflight again (bash upgrade.sh --preflight, or Invoke-GlobalUpgradePreflight -PackagePath) and check it.", CvoPreflight.Source);
        var after = adminAck.State == CheckState.Passed
            ? "The preflight's AdminAckRequired now passes."
            : $"The preflight's AdminAckRequired is {adminAck.State} ({adminAck.Actual}): run the preflight again (bash upgrade.sh --preflight, or Invoke-GlobalUpgradePreflight -PackagePath) and check it.";
        return new AdminGateApproval
        {
            Cluster = cluster.Name,
            Gate = gate.Name,
            Description = gate.Description,
            Requires = AdminGateRules.Requires(gate),
            PrerequisiteMet = plan.PrerequisiteMet,
            Prerequisite = plan.Prerequisite,
            Acknowledged = acknowledged,
            AlreadyAcknowledged = gate.Acknowledged,
            Forced = forced,
            AdminAckRequired = adminAck,
            Message = gate.Acknowledged
                ? $"Gate {gate.Name} was already acknowledged on {cluster.Name}; nothing was written. {after}"
                : $"Gate {gate.Name} acknowledged on {cluster.Name} ({AdminGateConfigMaps.Namespace}/{AdminGateConfigMaps.AcksName}){(forced ? $" with -Force, recorded as annotation {assumptions.AdminGateForcedAnnotation(gate.Name)}" : "")}. {after}",
        };
    }
}
