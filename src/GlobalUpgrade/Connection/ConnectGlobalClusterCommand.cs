using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Commands.Connection;

/// <summary>Connects to an ACP global cluster through a kubeconfig context and keeps the connection for the session.</summary>
[Cmdlet(VerbsCommunications.Connect, "GlobalCluster")]
[OutputType(typeof(GlobalCluster))]
public sealed class ConnectGlobalClusterCommand : GlobalUpgradeCmdlet
{
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(KubeContextCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    [Parameter(Mandatory = true)]
    public ClusterRole Role { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    [ValidateRange(1, 300)]
    public int ConnectTimeoutSec { get; set; } = (int)KubeClientFactory.DefaultConnectTimeout.TotalSeconds;

    /// <summary>How long one API request may take before it fails with ServerTimeout.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int RequestTimeoutSec { get; set; } = (int)KubeClientFactory.DefaultRequestTimeout.TotalSeconds;

    protected override void ProcessRecord()
    {
        var kubeconfig = Kubeconfig is null ? null : GetUnresolvedProviderPathFromPSPath(Kubeconfig);
        var request = new ConnectRequest(kubeconfig, Context, Role, Name, TimeSpan.FromSeconds(ConnectTimeoutSec), TimeSpan.FromSeconds(RequestTimeoutSec));
        var connection = Run(ct => ClusterConnector.ConnectAsync(request, ct));
        Connections.Add(connection);
        WriteVerbose($"Connected '{connection.Name}' ({connection.Info.Role}) to {connection.Info.Server}: ACP {connection.Info.PlatformVersion}, Kubernetes {connection.Info.KubernetesVersion}.");
        WriteObject(connection.Info);
    }
}
