using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Commands.EtcdSync;

/// <summary>Reads the etcd synchronizer monitor's /check report of the standby (missed and surplus keys), and whether the primary's token or etcd CA changed since its bootstrap job ran.</summary>
[Cmdlet(VerbsCommon.Get, "EtcdSyncStatus", DefaultParameterSetName = ViaApiServer)]
[OutputType(typeof(EtcdSyncStatus))]
public sealed class GetEtcdSyncStatusCommand : GlobalUpgradeCmdlet
{
    private const string ViaApiServer = nameof(ViaApiServer);
    private const string Direct = nameof(Direct);

    /// <summary>The standby connection (default: the connected cluster with role Standby).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string? Cluster { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = Direct)]
    public Uri? MonitorUri { get; set; }

    /// <summary>The monitor service's port (number or name): the same as -Assumption @{ MonitorPort = … }.</summary>
    [Parameter(ParameterSetName = ViaApiServer)]
    [ValidateNotNullOrEmpty]
    public string? MonitorPort { get; set; }

    /// <summary>Corrects [assumed] facts by name (PlatformAssumptions), e.g. @{ MonitorPort = 8080 }.</summary>
    [Parameter(ParameterSetName = ViaApiServer)]
    public Hashtable? Assumption { get; set; }

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = (int)SyncMonitorClient.DefaultTimeout.TotalSeconds;

    protected override IReadOnlyDictionary<string, string?>? AssumptionOverrides => HashtableInput.ToAssumptions(Assumption, (nameof(MonitorPort), MonitorPort));

    protected override void ProcessRecord()
    {
        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        if (MonitorUri is not null)
        {
            if (!MonitorUri.IsAbsoluteUri || MonitorUri.Scheme is not ("http" or "https"))
            {
                ThrowFailure(Errors.ErrorIds.InvalidMonitorUri, Errors.FailureCategory.InvalidArgument, $"-MonitorUri '{MonitorUri}' is not an http(s) URL. Use http://<clusterIP of etcd-sync-monitor>/check (IPv6 in brackets: http://[fd00::10]/check).", MonitorUri);
            }

            if (TryRun(ct => SyncMonitorClient.ReadDirectAsync(MonitorUri, Cluster ?? MonitorUri.Host, timeout, ct), out var direct))
            {
                WriteObject(direct);
            }

            return;
        }

        var standby = Require(() => Connections.Select(Cluster, ClusterRole.Standby));
        var profile = Engine.Assumptions.EtcdSync;
        if (TryRun(ct => SyncMonitorClient.ReadViaProxyAsync(standby, profile, timeout, ct), out var status))
        {
            var platform = Require(() => PlatformProfile.For(PlatformVersion.Parse(standby.Info.PlatformVersion)) with { EtcdSyncDetails = profile });
            var primary = EtcdSyncTargets.TryByRole(Connections, ClusterRole.Primary);
            var credentials = Run(ct => EtcdSyncCredentials.StateAsync(primary == standby ? null : primary, standby, platform, ct));
            WriteObject(status with { CredentialsChanged = credentials.Changed, CredentialsReason = credentials.Reason });
        }
    }
}
