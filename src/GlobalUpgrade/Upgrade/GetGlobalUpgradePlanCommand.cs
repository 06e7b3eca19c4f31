using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Commands.Upgrade;

/// <summary>
/// What an upgrade of the connected cluster (or DR pair) to a version would do, changing nothing: the path check per
/// cluster, the steps in the documented order, which are already done, an estimate per step and the window totals.
/// </summary>
[Cmdlet(VerbsCommon.Get, "GlobalUpgradePlan")]
[OutputType(typeof(GlobalUpgradePlan))]
public sealed class GetGlobalUpgradePlanCommand : GlobalUpgradeCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string TargetVersion { get; set; } = "";

    /// <summary>The package folder whose image sync is looked up in the local record.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PackagePath { get; set; }

    /// <summary>The clusters to plan for; default: every connected cluster (a Primary and a Standby make a DR plan).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string[]? Cluster { get; set; }

    /// <summary>Estimates by step name: a TimeSpan, minutes, or text ('2:00:00', '1.5h', '45m'), e.g. @{ ImageSync = '3h' }.</summary>
    [Parameter]
    public Hashtable? Estimate { get; set; }

    protected override void ProcessRecord()
    {
        _ = Require(() => PlatformVersion.Parse(TargetVersion));
        var estimates = Require(() => HashtableInput.ToEstimates(Estimate));
        var clusters = Require(() => Connections.Resolve(Cluster));
        WriteObject(Run(ct => UpgradeInspector.PlanAsync(clusters, TargetVersion, PackagePath, estimates, Engine.ImageSyncs, null, ct)));
    }
}
