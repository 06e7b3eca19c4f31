using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Readiness;

namespace GlobalUpgrade.Commands.Readiness;

/// <summary>
/// The 4.3 preflight: <c>upgrade.sh --preflight</c> (read-only) in an extracted package on a control-plane node (or
/// here), or with -FromCluster the Cluster Version Operator's result in ClusterVersionShadow status.preflight. One
/// CheckResult per documented check plus the summary (Check PreflightSummary); no data is NotChecked, never passed.
/// </summary>
// upgrade.sh --preflight is read-only [doc], but it is the vendor's script run on a node: -WhatIf shows where, and
// ConfirmImpact Low keeps it from asking by default.
[Cmdlet(VerbsLifecycle.Invoke, "GlobalUpgradePreflight", DefaultParameterSetName = NodeSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(CheckResult))]
public sealed class InvokeGlobalUpgradePreflightCommand : RemoteCmdlet
{
    private const string NodeSet = "Node";
    private const string ClusterSet = "Cluster";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NodeSet)]
    [ValidateNotNullOrEmpty]
    public string PackagePath { get; set; } = "";

    /// <summary>Read the result from the cluster's ClusterVersionShadow instead of running upgrade.sh.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClusterSet)]
    public SwitchParameter FromCluster { get; set; }

    /// <summary>The connected global cluster (names the results; required with several connected and -FromCluster).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    protected override void ProcessRecord()
    {
        if (FromCluster)
        {
            var connections = Require(() => Connections.Resolve(Cluster is null ? null : [Cluster]));
            foreach (var connection in connections)
            {
                WriteObject(Run(ct => UpgradePreflight.ReadFromClusterAsync(connection, ct)), enumerateCollection: true);
            }

            return;
        }

        var node = BuildTarget();
        var target = $"{Cluster ?? (node.IsLocal ? Environment.MachineName : node.DisplayName)}/preflight";
        if (!ShouldProcess($"{PackagePath} on {node.DisplayName}", UpgradePreflight.Command))
        {
            return;
        }

        WriteObject(Run(ct => UpgradePreflight.RunAsync(node, PackagePath, target, ct)), enumerateCollection: true);
    }
}
