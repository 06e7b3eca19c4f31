using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Readiness;

namespace GlobalUpgrade.Commands.Readiness;

/// <summary>
/// Acknowledges one administrator gate of the target release in cpaas-system/admin-acks, only once the gate's own
/// prerequisite passes (the 4.4 gate: kernel and cgroup v2 on every node, checked over the node options), then reads
/// the preflight's AdminAckRequired again. -Force acknowledges anyway and records it.
/// </summary>
[Cmdlet(VerbsLifecycle.Approve, "GlobalUpgradeGate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AdminGateApproval))]
public sealed class ApproveGlobalUpgradeGateCommand : RemoteCmdlet
{
    /// <summary>The gate's key in cpaas-system/admin-gates, e.g. ack-4.4-kubernetes-1.35-kernel-update.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The connected global cluster; default: the only connected one.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string? Cluster { get; set; }

    /// <summary>This machine is the (one) node to check.</summary>
    [Parameter]
    public SwitchParameter Local { get; set; }

    /// <summary>Acknowledge although the prerequisite is not Passed (failed or not checked); recorded on admin-acks and in the output.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Corrects [assumed] facts by name (PlatformAssumptions), e.g. @{ AdminGateReevaluationTimeout = '60s'; AdminGateForcedAnnotationPrefix = 'example.com/forced.' }.</summary>
    [Parameter]
    public Hashtable? Assumption { get; set; }

    protected override IReadOnlyDictionary<string, string?>? AssumptionOverrides => HashtableInput.ToAssumptions(Assumption);

    protected override void ProcessRecord()
    {
        var cluster = Require(() => Connections.Select(Cluster, "whose gate to acknowledge"));
        var nodes = NodeChecks(Local);
        var request = new AdminGateApprovalRequest(cluster, Name)
        {
            NodeAccess = nodes.Access,
            Node = nodes.Node,
            Force = Force,
            Assumptions = Engine.Assumptions.Readiness,
        };
        var plan = Run(ct => AdminGateApprover.PlanAsync(request, ct));
        var forced = !plan.Gate.Acknowledged && plan.PrerequisiteMet != true;
        if (!plan.Gate.Acknowledged && !ShouldProcess($"gate {Name} in ConfigMap cpaas-system/admin-acks on '{cluster.Name}'",
                forced ? "Acknowledge the administrator gate with -Force (its prerequisite is not Passed; recorded)" : "Acknowledge the administrator gate"))
        {
            return;
        }

        WriteObject(Run(ct => AdminGateApprover.ApplyAsync(plan, ct)));
    }
}
