using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Consistency;
using GlobalUpgrade.Etcd;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Commands.Consistency;

/// <summary>
/// Checks that a global DR pair may be upgraded: the standby holds the primary's data, every Machine is Running,
/// plugins and functional components are settled, and both run one version. Never throws for a failed check.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "GlobalDrConsistency")]
[OutputType(typeof(CheckResult))]
[OutputType(typeof(bool))]
public sealed class TestGlobalDrConsistencyCommand : GlobalUpgradeCmdlet
{
    [Parameter]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string? Primary { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string? Standby { get; set; }

    [Parameter]
    public ConsistencySource Source { get; set; } = ConsistencySource.Monitor;

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = (int)SyncMonitorClient.DefaultTimeout.TotalSeconds;

    /// <summary>The monitor service's port (number or name): the same as -Assumption @{ MonitorPort = … }.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MonitorPort { get; set; }

    /// <summary>Corrects [assumed] facts by name (PlatformAssumptions), e.g. @{ MonitorPort = 8080 }.</summary>
    [Parameter]
    public Hashtable? Assumption { get; set; }

    /// <summary>The primary's etcd members (https://ip:2379), for -Source Etcd or Both.</summary>
    [Parameter]
    public Uri[]? PrimaryEtcdEndpoint { get; set; }

    [Parameter]
    public Uri[]? StandbyEtcdEndpoint { get; set; }

    [Parameter]
    public string? PrimaryEtcdCertificatePath { get; set; }

    [Parameter]
    public string? PrimaryEtcdKeyPath { get; set; }

    [Parameter]
    public string? PrimaryEtcdCaPath { get; set; }

    [Parameter]
    public string? StandbyEtcdCertificatePath { get; set; }

    [Parameter]
    public string? StandbyEtcdKeyPath { get; set; }

    [Parameter]
    public string? StandbyEtcdCaPath { get; set; }

    protected override IReadOnlyDictionary<string, string?>? AssumptionOverrides => HashtableInput.ToAssumptions(Assumption, (nameof(MonitorPort), MonitorPort));

    protected override void ProcessRecord()
    {
        var (primary, standby) = Require(() => (
            Connections.Select(Primary, ClusterRole.Primary),
            Connections.Select(Standby, ClusterRole.Standby)));
        var request = new DrConsistencyRequest(primary, standby, Source, Engine.Assumptions.EtcdSync, TimeSpan.FromSeconds(TimeoutSec), KeyspaceRequest());
        var results = Run(ct => DrConsistencyChecker.RunAsync(request, ct));
        if (Quiet)
        {
            WriteObject(results.Count > 0 && results.All(r => r.Passed));
            return;
        }

        WriteObject(results, enumerateCollection: true);
    }

    private EtcdKeyspaceRequest? KeyspaceRequest()
    {
        if (PrimaryEtcdEndpoint is not { Length: > 0 } || StandbyEtcdEndpoint is not { Length: > 0 })
        {
            return null;
        }

        string? Resolve(string? path) => path is null ? null : GetUnresolvedProviderPathFromPSPath(path);
        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        return new EtcdKeyspaceRequest(
            new EtcdClientOptions("primary", PrimaryEtcdEndpoint, Resolve(PrimaryEtcdCertificatePath), Resolve(PrimaryEtcdKeyPath), Resolve(PrimaryEtcdCaPath), Timeout: timeout),
            new EtcdClientOptions("standby", StandbyEtcdEndpoint, Resolve(StandbyEtcdCertificatePath), Resolve(StandbyEtcdKeyPath), Resolve(StandbyEtcdCaPath), Timeout: timeout),
            EtcdKeyspaceRequest.DefaultPrefix,
            EtcdExclusions.DefaultRules);
    }
}
