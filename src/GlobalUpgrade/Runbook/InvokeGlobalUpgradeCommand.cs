using System.Management.Automation;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Runbook;

namespace GlobalUpgrade.Commands.Runbook;

/// <summary>
/// The standard upgrade of a global cluster without DR as a resumable runbook: pre-flight, image sync, upgrade,
/// post-checks. One RunbookStep per step; a journal to resume from.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "GlobalUpgrade", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RunbookStep), typeof(GlobalUpgradePlan))]
public sealed class InvokeGlobalUpgradeCommand : RunbookCmdlet
{
    /// <summary>The connection to upgrade; default: the connected Standalone cluster.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Infrastructure.ConnectedClusterCompleter))]
    [Infrastructure.ClusterNameTransformation]
    public string? Cluster { get; set; }

    protected override (ClusterConnection Primary, ClusterConnection? Standby) ResolveClusters() =>
        (Require(() => Connections.Select(Cluster, ClusterRole.Standalone)), null);
}
