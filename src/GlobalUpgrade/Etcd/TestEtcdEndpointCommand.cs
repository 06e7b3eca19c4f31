using System.Management.Automation;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Etcd;

namespace GlobalUpgrade.Commands.Etcd;

/// <summary>
/// Checks that an etcd endpoint answers: TCP connect, TLS handshake verified with the CA file, member status.
/// Never throws for a failed check (Passed = $false with what to fix); throws only for bad arguments. With
/// -ComputerName (-ViaComputerName) the connection starts on that node, over SSH.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "EtcdEndpoint")]
[OutputType(typeof(CheckResult))]
public sealed class TestEtcdEndpointCommand : RemoteCmdlet
{
    /// <summary>The node the connection starts from (e.g. a standby control-plane node, where the synchronizer runs); omit to probe from this machine.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("ViaComputerName", "Via")]
    public override string? ComputerName { get; set; }

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
        var via = BuildTarget();
        WriteObject(via.IsLocal
            ? Run(ct => EtcdEndpointProbe.TestAsync(options, ct))
            : Run(ct => EtcdProbeFromNode.TestAsync(options, Sessions, via, ct)));
    }

    private string? ResolvePath(string? path) => path is null ? null : GetUnresolvedProviderPathFromPSPath(path);
}
