using System.Diagnostics;
using System.Net.Sockets;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Checks that an etcd endpoint can be reached before the synchronizer is pointed at it. Install-EtcdSync plugs in
/// Test-EtcdEndpoint's probe where it is available; <see cref="TcpEndpointCheck"/> is the fallback.
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
            return new CheckResult { Check = CheckName, Target = endpoint.ToString(), Passed = true, Expected = $"a TCP connection to {target}", Actual = $"connected in {clock.ElapsedMilliseconds} ms", Message = $"{target} accepts TCP connections." };
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex is SocketException s ? s.SocketErrorCode.ToString() : $"no answer within {timeout.TotalSeconds:0} s";
            return new CheckResult { Check = CheckName, Target = endpoint.ToString(), Passed = false, Expected = $"a TCP connection to {target}", Actual = reason, Message = $"Cannot connect to {target} ({reason}). Forward port {endpoint.Port} (TCP) from the VIP to the control-plane nodes and open it between the clusters." };
        }
    }
}
