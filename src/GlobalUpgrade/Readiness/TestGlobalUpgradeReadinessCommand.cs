using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;

namespace GlobalUpgrade.Commands.Readiness;

/// <summary>
/// Every documented pre-upgrade condition of a target version, weeks before the window, as one CheckResult per
/// condition and target (State Passed / Failed / NotChecked). Reads only; never throws for a failed condition.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "GlobalUpgradeReadiness")]
[OutputType(typeof(CheckResult))]
[OutputType(typeof(bool))]
public sealed class TestGlobalUpgradeReadinessCommand : RemoteCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string TargetVersion { get; set; } = "";

    /// <summary>The connected global clusters to check; default: every connected one.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string[]? Cluster { get; set; }

    /// <summary>This machine is a control-plane node of the (one) checked cluster: the node checks run here.</summary>
    [Parameter]
    public SwitchParameter Local { get; set; }

    /// <summary>A 4.3 package on the node: its upgrade.sh --preflight replaces the Cluster Version Operator's data.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PackagePath { get; set; }

    /// <summary>Replaces the documented Kubernetes prerequisite of the path: '1.31', '1.31-1.34' or '1.32+'.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubernetesVersionRange { get; set; }

    /// <summary>Corrects [assumed] facts, e.g. where the conditions look: @{ MinioPath = '/data/minio'; CostManagerModules = 'kubecost' } (any name of PlatformAssumptions).</summary>
    [Parameter]
    public Hashtable? Assumption { get; set; }

    protected override IReadOnlyDictionary<string, string?>? AssumptionOverrides => HashtableInput.ToAssumptions(Assumption);

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var target = Require(() => PlatformVersion.Parse(TargetVersion));
        if (KubernetesVersionRange is not null)
        {
            _ = Require(() => KubernetesPrerequisites.Parse(KubernetesVersionRange, "?", target.Line));
        }

        var nodes = NodeChecks(Local);
        var request = new ReadinessRequest(Require(() => Connections.Resolve(Cluster)), target)
        {
            Assumptions = Engine.Assumptions.Readiness,
            KubernetesVersionRange = KubernetesVersionRange,
            NodeAccess = nodes.Access,
            Node = nodes.Node,
            PackagePath = PackagePath,
        };
        var results = Run(ct => ReadinessChecker.RunAsync(request, ct));
        if (Quiet)
        {
            WriteObject(results.Count > 0 && results.All(r => r.State == CheckState.Passed));
            return;
        }

        WriteObject(results, enumerateCollection: true);
    }
}
