using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Etcd;

namespace GlobalUpgrade.Commands.Etcd;

/// <summary>
/// Checks that an etcd endpoint answers: TCP connect, TLS handshake verified with the CA file, member status.
/// Never throws for a failed check (Passed = $false with what to fix); throws only for bad arguments.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "EtcdEndpoint")]
[OutputType(typeof(CheckResult))]
public sealed class TestEtcdEndpointCommand : GlobalUpgradeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri? Endpoint { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyPath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CaPath { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSec { get; set; } = 5;

    protected override void ProcessRecord()
    {
        var options = new EtcdClientOptions(
            "endpoint",
            [Endpoint!],
            ResolvePath(CertificatePath),
            ResolvePath(KeyPath),
            ResolvePath(CaPath),
            Credential?.UserName,
            Credential?.GetNetworkCredential().Password,
            TimeSpan.FromSeconds(TimeoutSec));
        WriteObject(Run(ct => EtcdEndpointProbe.TestAsync(options, ct)));
    }

    private string? ResolvePath(string? path) => path is null ? null : GetUnresolvedProviderPathFromPSPath(path);
}
