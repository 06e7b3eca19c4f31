using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Commands.EtcdSync;

/// <summary>
/// Deletes the etcd synchronizer's leader pod and waits for the new leader to log "Start Sync update" — the
/// documented cure for missed keys. Get-EtcdSyncStatus afterwards shows the effect.
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "EtcdSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(EtcdSyncInstallation))]
public sealed class RestartEtcdSyncCommand : GlobalUpgradeCmdlet
{
    /// <summary>The cluster the synchronizer runs on (default: the standby on 4.x).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string? Cluster { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = (int)EtcdSyncProfile.DefaultTimeout.TotalSeconds;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var (host, profile) = Require(() => EtcdSyncTargets.Resolve(Connections, Cluster, Engine.Assumptions.EtcdSync));
        var details = profile.EtcdSyncDetails;
        var leader = Run(ct => EtcdSyncRestarter.ReadLeaderAsync(host, profile, ct));
        if (!ShouldProcess($"pod {details.Namespace}/{leader} on '{host.Name}'", "Delete the etcd-sync leader pod and wait for its successor"))
        {
            return;
        }

        var result = Run(ct => EtcdSyncRestarter.RestartAsync(host, profile, leader, null, TimeSpan.FromSeconds(TimeoutSec), ct));
        if (PassThru)
        {
            WriteObject(result);
        }
    }
}
