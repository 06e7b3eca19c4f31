using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Commands.Upgrade;

/// <summary>The upgrade state of connected global clusters, read from them now (ProductBase, ClusterModule or ClusterVersionShadow), with the last run recorded here.</summary>
[Cmdlet(VerbsCommon.Get, "GlobalUpgradeStatus")]
[OutputType(typeof(GlobalUpgradeStatus))]
public sealed class GetGlobalUpgradeStatusCommand : GlobalUpgradeCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string[]? Cluster { get; set; }

    protected override void ProcessRecord()
    {
        var store = Engine.Upgrades;
        foreach (var connection in Require(() => Connections.Resolve(Cluster)))
        {
            if (TryRun(ct => UpgradeInspector.GetStatusAsync(connection, store, ct), out var status))
            {
                WriteObject(status);
            }
        }
    }
}
