using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.Commands.Remote;

/// <summary>
/// The options of every cmdlet that runs something on a node: without -ComputerName it runs on this machine (the
/// operator is on the node), otherwise over SSH with a verified host key.
/// </summary>
public abstract class RemoteCmdlet : GlobalUpgradeCmdlet
{
    /// <summary>The node (control-plane node of the global cluster). Omit to run on this machine.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Node", "HostName")]
    public virtual string? ComputerName { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 22;

    /// <summary>User and password for the SSH login (or the passphrase of -KeyFilePath).</summary>
    [Parameter]
    [Credential]
    public PSCredential? SshCredential { get; set; }

    /// <summary>The SSH user when -SshCredential is not given; default: the local user name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    [Parameter]
    [ValidatePattern(@"^(SHA256:)?[A-Za-z0-9+/]{43}=?$")]
    public string? HostKeyFingerprint { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int ConnectTimeoutSec { get; set; } = 20;

    /// <summary>This call's connections, one per node (a run's start and its following share one login): the engine context's, closed with the command.</summary>
    protected RemoteSessions Sessions => Engine.Sessions;

    protected bool RemoteOptionGiven =>
        SshCredential is not null || UserName is not null || KeyFilePath is not null || KnownHostsPath is not null || HostKeyFingerprint is not null;

    /// <summary>The target these parameters describe (this machine when -ComputerName is absent).</summary>
    protected RemoteTarget BuildTarget() => BuildTarget(ComputerName);

    protected RemoteTarget BuildTarget(string? computerName) => string.IsNullOrEmpty(computerName)
        ? RemoteTarget.Local
        : new RemoteTarget
        {
            ComputerName = computerName,
            Port = Port,
            UserName = UserName,
            Credential = SshCredential?.GetNetworkCredential(),
            KeyFilePath = KeyFilePath is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFilePath),
            KnownHostsPath = KnownHostsPath is null ? null : GetUnresolvedProviderPathFromPSPath(KnownHostsPath),
            HostKeyFingerprint = HostKeyFingerprint,
            ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeoutSec),
        };

    /// <summary>
    /// How node checks reach the nodes: -Local; the one node -ComputerName names; the SSH options alone for every
    /// Machine of the cluster (the options kept, ComputerName set per Machine); else none.
    /// </summary>
    protected (GlobalUpgrade.Readiness.NodeAccess Access, RemoteTarget Node) NodeChecks(bool local) =>
        local ? (GlobalUpgrade.Readiness.NodeAccess.Local, RemoteTarget.Local)
        : !string.IsNullOrEmpty(ComputerName) ? (GlobalUpgrade.Readiness.NodeAccess.Named, BuildTarget())
        : RemoteOptionGiven ? (GlobalUpgrade.Readiness.NodeAccess.ControlPlane, BuildTarget("each-machine"))
        : (GlobalUpgrade.Readiness.NodeAccess.None, RemoteTarget.Local);

    /// <summary>A recorded run's target, with what the user passed now taken over (a password is never recorded).</summary>
    protected RemoteTarget TargetForRecorded(RemoteTarget recorded, string recordedComputerName)
    {
        if (recorded.IsLocal && (string.IsNullOrEmpty(ComputerName) || string.Equals(ComputerName, recordedComputerName, StringComparison.OrdinalIgnoreCase)))
        {
            return recorded;
        }

        var given = BuildTarget(ComputerName ?? recordedComputerName);
        return recorded with
        {
            ComputerName = given.ComputerName,
            Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : recorded.Port,
            UserName = UserName ?? given.Credential?.UserName ?? recorded.UserName,
            Credential = given.Credential,
            KeyFilePath = given.KeyFilePath ?? recorded.KeyFilePath,
            KnownHostsPath = given.KnownHostsPath ?? recorded.KnownHostsPath,
            HostKeyFingerprint = given.HostKeyFingerprint ?? recorded.HostKeyFingerprint,
            ConnectTimeout = given.ConnectTimeout,
        };
    }
}
