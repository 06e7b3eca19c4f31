using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Commands.Connection;

/// <summary>Closes connections of this session: the named ones, those piped in, or all.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "GlobalCluster")]
[OutputType(typeof(void))]
public sealed class DisconnectGlobalClusterCommand : GlobalUpgradeCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var names = Name ?? Connections.All.Select(c => c.Name).ToArray();
        foreach (var name in names)
        {
            if (Connections.Remove(name))
            {
                WriteVerbose($"Disconnected '{name}'.");
            }
            else
            {
                WriteFailure(new GlobalUpgradeException(ErrorIds.ClusterNotConnected, FailureCategory.ObjectNotFound, $"No cluster named '{name}' is connected; Get-GlobalCluster lists the connections.", name));
            }
        }
    }
}
