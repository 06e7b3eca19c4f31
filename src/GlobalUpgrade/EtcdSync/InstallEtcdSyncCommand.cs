using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Runbook;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Commands.EtcdSync;

/// <summary>
/// Installs the 4.x etcd synchronizer plugin on the standby as the DR docs describe and waits until its leader syncs;
/// returns the installation. A re-run that finds everything as asked changes nothing and says so.
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "EtcdSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(EtcdSyncInstallation))]
public sealed class InstallEtcdSyncCommand : GlobalUpgradeCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string ActiveClusterVip { get; set; } = "";

    [Parameter]
    public Uri[]? ActiveEtcdEndpoint { get; set; }

    [Parameter]
    public Uri[]? StandbyEtcdEndpoint { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ActiveClusterTokenSecret { get; set; } = EtcdSyncProfile.DocumentedTokenSecret;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? DataCheckInterval { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Version { get; set; }

    [Parameter]
    public Hashtable? Config { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ModuleName { get; set; }

    /// <summary>The standby (default: the connected cluster with role Standby).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string? Cluster { get; set; }

    /// <summary>The primary whose token the standby's synchronizer uses (default: the connected cluster with role Primary).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string? Primary { get; set; }

    [Parameter]
    public SwitchParameter SkipEndpointCheck { get; set; }

    /// <summary>Reinstall the plugin when the primary's token or etcd CA changed since its bootstrap job last ran (or that is not recorded), so the job refreshes the credentials.</summary>
    [Parameter]
    public SwitchParameter RefreshCredentials { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = (int)EtcdSyncProfile.DefaultTimeout.TotalSeconds;

    /// <summary>Corrects [assumed] facts by name (PlatformAssumptions), e.g. @{ MonitorPort = 8080 }.</summary>
    [Parameter]
    public Hashtable? Assumption { get; set; }

    protected override IReadOnlyDictionary<string, string?>? AssumptionOverrides => HashtableInput.ToAssumptions(Assumption);

    protected override void ProcessRecord()
    {
        var details = Engine.Assumptions.EtcdSync with { ActiveClusterTokenSecret = ActiveClusterTokenSecret };
        var (primary, standby) = Require(() => (
            Connections.Select(Primary, ClusterRole.Primary),
            Connections.Select(Cluster, ClusterRole.Standby)));
        var profile = Require(() => PlatformProfile.For(PlatformVersion.Parse(standby.Info.PlatformVersion)) with { EtcdSyncDetails = details });
        var options = new EtcdSyncOptions
        {
            ActiveClusterVip = Require(() => HostInput.Host(ActiveClusterVip, "-ActiveClusterVip")),
            ActiveEtcdEndpoint = ActiveEtcdEndpoint,
            StandbyEtcdEndpoint = StandbyEtcdEndpoint,
            DataCheckInterval = DataCheckInterval,
            Version = Version,
            ModuleName = ModuleName,
            SkipEndpointCheck = SkipEndpointCheck,
        };
        var request = Require(() => EtcdSyncInstallRequests.From(options, HashtableInput.ToJson(Config), primary, standby, profile, standbyVip: null)) with { RefreshCredentials = RefreshCredentials };
        var plan = Run(ct => EtcdSyncInstaller.PlanAsync(request, ct));
        if (plan.Credentials is { Changed: true } changed && !RefreshCredentials)
        {
            WriteWarning($"'{standby.Name}': {changed.Reason}.");
        }
        else if (RefreshCredentials && !plan.Reinstall)
        {
            WriteWarning($"-RefreshCredentials: nothing to refresh on '{standby.Name}': {plan.Credentials?.Reason ?? "no installed synchronizer with a bootstrap job"}.");
        }

        if (!plan.HasChanges)
        {
            WriteWarning($"The etcd synchronizer plugin {plan.ModuleName} {plan.Version} is already installed on '{standby.Name}' as asked, and its token secret is current: nothing changed.");
        }
        else if (!ShouldProcess($"plugin {plan.ModuleName} {plan.Version} on '{standby.Name}'", plan.Describe()))
        {
            return;
        }

        WriteObject(Run(ct => EtcdSyncInstaller.ExecuteAsync(plan, TimeSpan.FromSeconds(TimeoutSec), ct)));
    }
}
