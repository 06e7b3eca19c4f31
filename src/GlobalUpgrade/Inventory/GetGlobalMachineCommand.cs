using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Inventory;

namespace GlobalUpgrade.Commands.Inventory;

/// <summary>Lists the tkestack Machines of connected global clusters (all of them unless -Cluster names some).</summary>
[Cmdlet(VerbsCommon.Get, "GlobalMachine")]
[OutputType(typeof(GlobalMachine))]
public sealed class GetGlobalMachineCommand : GlobalUpgradeCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string[]? Cluster { get; set; }

    /// <summary>The phases tkestack sets on a Machine ([schema platform.tkestack.io/v1 Machine status.phase], docs/platform-versions.md); a typo is rejected, not an empty answer.</summary>
    [Parameter]
    [ValidateSet("Initializing", "Running", "Failed", "Terminating", "Upgrading", IgnoreCase = true)]
    public string[]? Phase { get; set; }

    /// <summary>Only machines whose phase is not Running: what blocks a DR upgrade.</summary>
    [Parameter]
    public SwitchParameter NotRunning { get; set; }

    protected override void ProcessRecord()
    {
        var connections = Require(() => Connections.Resolve(Cluster));
        foreach (var connection in connections)
        {
            // One unreachable cluster must not hide the machines of the others.
            if (!TryRun(ct => MachineReader.ListAsync(connection, ct), out var machines))
            {
                continue;
            }

            foreach (var machine in machines)
            {
                if ((!NotRunning || !machine.IsRunning) && (Phase is null || Phase.Contains(machine.Phase ?? "", StringComparer.OrdinalIgnoreCase)))
                {
                    WriteObject(machine);
                }
            }
        }
    }
}
