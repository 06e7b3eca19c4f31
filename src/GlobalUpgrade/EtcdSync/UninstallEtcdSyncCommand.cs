using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.Commands.EtcdSync;

/// <summary>
/// Removes the etcd synchronizer before an upgrade, the way the platform version needs (4.x: plugin on the standby;
/// 3.18: EtcdSync plugin on the primary; 3.16: Helm-era objects on the primary), and waits until it is gone.
/// Refuses while the DR consistency checks fail, unless -Force. Never deletes etcd keys.
/// </summary>
[Cmdlet(VerbsLifecycle.Uninstall, "EtcdSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class UninstallEtcdSyncCommand : RemoteCmdlet
{
    /// <summary>The cluster to remove it from (default: the standby on 4.x, the primary on 3.x).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string? Cluster { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ModuleName { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = (int)EtcdSyncProfile.DefaultTimeout.TotalSeconds;

    /// <summary>Corrects [assumed] facts by name (PlatformAssumptions), e.g. @{ MonitorPort = 8080 }.</summary>
    [Parameter]
    public Hashtable? Assumption { get; set; }

    protected override IReadOnlyDictionary<string, string?>? AssumptionOverrides => HashtableInput.ToAssumptions(Assumption);

    protected override void ProcessRecord()
    {
        var (host, profile) = Require(() => EtcdSyncTargets.Resolve(Connections, Cluster, Engine.Assumptions.EtcdSync));
        var primary = EtcdSyncTargets.TryByRole(Connections, ClusterRole.Primary);
        var standby = EtcdSyncTargets.TryByRole(Connections, ClusterRole.Standby);
        var plan = Run(ct => EtcdSyncUninstaller.PlanAsync(host, profile, ModuleName, ct));
        if (plan.NothingToDo)
        {
            WriteWarning($"The etcd synchronizer ({profile.EtcdSync}, ACP {profile.Version}) is not installed on '{host.Name}': nothing to remove.");
            return;
        }

        if (primary is null || standby is null)
        {
            if (!Force)
            {
                ThrowFailure(ErrorIds.ClusterNotConnected, FailureCategory.InvalidOperation, "Uninstall-EtcdSync checks the DR pair before it removes the synchronizer: connect both the primary and the standby (Connect-GlobalCluster -Role Primary|Standby), or skip the check with -Force.");
            }

            WriteWarning("-Force: the DR consistency checks were skipped (the primary and the standby are not both connected).");
        }
        else
        {
            var failed = Run(ct => EtcdSyncGuard.FailedChecksAsync(primary, standby, profile.EtcdSyncDetails, SyncMonitorClient.DefaultTimeout, ct));
            if (failed.Count > 0)
            {
                var list = EtcdSyncGuard.Describe(failed);
                if (!Force)
                {
                    ThrowFailure(
                        ErrorIds.StandbyNotConsistent,
                        FailureCategory.InvalidOperation,
                        $"Refusing to remove the etcd synchronizer: {failed.Count} DR consistency check(s) failed. Removing it while the standby misses keys can make owner references resolve wrongly and delete workload clusters' Machines. Fix these first (Restart-EtcdSync often cures missed keys), or use -Force if you accept the risk:{Environment.NewLine}{list}",
                        standby.Name);
                }

                WriteWarning($"-Force: removing the etcd synchronizer although {failed.Count} DR consistency check(s) failed:{Environment.NewLine}{list}");
            }
        }

        if (!ShouldProcess(plan.Describe(), "Uninstall the etcd synchronizer"))
        {
            return;
        }

        // 3.16 only: helm3 del runs on a control-plane node (-ComputerName), or on this machine when the operator is on one.
        var node = plan.HelmReleaseNamespaces.Count > 0 ? BuildTarget() : null;
        Run(ct => EtcdSyncUninstaller.ExecuteAsync(plan, TimeSpan.FromSeconds(TimeoutSec), node, ct));
    }
}
