using System.Diagnostics;
using System.Net.Sockets;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Checks that an etcd endpoint can be reached before the synchronizer is pointed at it. Install-EtcdSync plugs in
/// Test-EtcdEndpoint's probe where it is available; <see cref="TcpEndpointCheck"/> is the fallback. Both probe from
/// this workstation, which is not where the synchronizer connects from (the runbook's CheckEtcdPorts probes from the
/// standby's node: <see cref="EtcdPathCheck"/>), so their messages say where they probed from.
/// </summary>
public interface IEtcdEndpointCheck
{
    Task<CheckResult> CheckAsync(Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>The documented requirement itself: port 2379 forwarded (TCP) from the VIP; a TCP connect proves it.</summary>
public sealed class TcpEndpointCheck : IEtcdEndpointCheck
{
    public const string CheckName = "EtcdPortReachable";

    public async Task<CheckResult> CheckAsync(Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        var target = $"{endpoint.Host}:{endpoint.Port}";
        try
        {
            using var client = new TcpClient(endpoint.HostNameType == UriHostNameType.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            await client.ConnectAsync(endpoint.IdnHost, endpoint.Port, deadline.Token).ConfigureAwait(false);
            return new CheckResult { Check = CheckName, Target = endpoint.ToString(), State = CheckState.Passed, Expected = $"a TCP connection to {target}", Actual = $"connected in {clock.ElapsedMilliseconds} ms", Message = $"{target} accepts TCP connections from this workstation (not proven from the standby's control plane, where the synchronizer connects from)." };
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex is SocketException s ? s.SocketErrorCode.ToString() : $"no answer within {timeout.TotalSeconds:0} s";
            return new CheckResult { Check = CheckName, Target = endpoint.ToString(), State = CheckState.Failed, Expected = $"a TCP connection to {target}", Actual = reason, Message = $"Cannot connect to {target} ({reason}). Forward port {endpoint.Port} (TCP) from the VIP to the control-plane nodes and open it between the clusters." };
        }
    }
}

/// <summary>
/// Test-EtcdEndpoint's probe (connection, TLS handshake, member status) used as the install's pre-check. Without the
/// other cluster's client certificate a TLS or authentication refusal still proves what the synchronizer needs from
/// the network — port 2379 is forwarded and etcd answers — so such a refusal passes. Only an answer counts: the
/// probe says ServerAnswered when a certificate or an etcd status came back; a port that accepts the connection
/// and then says nothing (a timeout, a cancelled call) is not reachable.
/// </summary>
public sealed class EtcdProbeEndpointCheck : IEtcdEndpointCheck
{
    public async Task<CheckResult> CheckAsync(Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await Etcd.EtcdEndpointProbe.TestAsync(new Etcd.EtcdClientOptions("endpoint", [endpoint], Timeout: timeout), cancellationToken).ConfigureAwait(false);
        if (result.Passed || result.Detail?.GetValueOrDefault("ServerAnswered") is not true)
        {
            return result;
        }

        return new CheckResult
        {
            Check = result.Check,
            Target = result.Target,
            State = CheckState.Passed,
            Expected = "port reachable and answering",
            Actual = result.Actual,
            Message = $"{endpoint.Host}:{endpoint.Port} is reachable from this workstation and answers ({result.Actual}); the synchronizer brings its own certificates. This workstation is not the standby's control plane, where the synchronizer connects from: Invoke-GlobalDrUpgrade's CheckEtcdPorts probes from there.",
            Detail = result.Detail,
        };
    }
}
