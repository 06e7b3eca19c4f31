using System.Net.Sockets;
using System.Security.Authentication;
using GlobalUpgrade.Errors;
using Grpc.Core;

namespace GlobalUpgrade.Etcd;

/// <summary>An etcd call's failure, told as what happened and what to fix.</summary>
internal sealed record EtcdFailure(FailureCategory Category, string Reason, string Remedy)
{
    public string Message => Remedy.Length == 0 ? Reason : $"{Reason}. {Remedy}";

    /// <summary>The message as a sentence of its own (capitalised).</summary>
    public string Sentence => Message.Length == 0 ? Message : char.ToUpperInvariant(Message[0]) + Message[1..];

    public static EtcdFailure Describe(Exception exception, EtcdClient client)
    {
        var endpoint = client.Endpoint;
        var hostPort = $"{endpoint.Host}:{endpoint.Port}";
        var tlsProblem = client.Observation.Problem;
        if (tlsProblem is not null)
        {
            return new(FailureCategory.SecurityError, $"the TLS handshake with {hostPort} failed: {tlsProblem}", $"The server was verified with {client.Tls.CaDescription}.");
        }

        if (exception is RpcException rpc)
        {
            switch (rpc.StatusCode)
            {
                case StatusCode.DeadlineExceeded:
                    return new(FailureCategory.OperationTimeout, $"{hostPort} did not answer in time", "Check that the address is etcd's client port and that no firewall drops the traffic, or raise -TimeoutSec.");
                case StatusCode.Unauthenticated:
                    return new(FailureCategory.AuthenticationError, $"etcd at {hostPort} refused the credentials: {rpc.Status.Detail}", "Check the etcd user name and password (-Credential), or use a client certificate instead.");
                case StatusCode.PermissionDenied:
                    return new(FailureCategory.PermissionDenied, $"etcd at {hostPort} denied the request: {rpc.Status.Detail}", "The etcd user needs read access to the whole prefix (role with a read permission on it).");
                case StatusCode.OutOfRange when rpc.Status.Detail.Contains("compacted", StringComparison.OrdinalIgnoreCase):
                    return new(FailureCategory.InvalidOperation, $"etcd at {hostPort} compacted the revision the scan was pinned to ({rpc.Status.Detail})", "Run the comparison again; a larger -PageSize makes the scan shorter.");
                case StatusCode.Cancelled when rpc.Status.DebugException is null:
                    break;
                default:
                    if (rpc.StatusCode != StatusCode.Unavailable && rpc.StatusCode != StatusCode.Internal && rpc.StatusCode != StatusCode.Unknown)
                    {
                        return new(FailureCategory.ProtocolError, $"etcd at {hostPort} answered {rpc.StatusCode}: {rpc.Status.Detail}", "");
                    }

                    break;
            }
        }

        foreach (var inner in Chain(exception))
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return new(FailureCategory.ConnectionError, $"the connection to {hostPort} was refused: nothing listens there",
                        $"Check that etcd runs and listens on port {endpoint.Port}; through a VIP, port {endpoint.Port} of the VIP is not forwarded (TCP) to a control-plane node.");
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return new(FailureCategory.ConnectionError, $"the host name '{endpoint.Host}' does not resolve", "Use the node's or the VIP's IP address, or fix DNS.");
                case SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable } socket:
                    return new(FailureCategory.ConnectionError, $"{hostPort} cannot be reached ({socket.SocketErrorCode})", "Check the routing and firewalls between here and the endpoint (ports 2379 must be open, TCP).");
                case SocketException socket:
                    return new(FailureCategory.ConnectionError, $"the connection to {hostPort} failed ({socket.SocketErrorCode}: {socket.Message})", "");
                case AuthenticationException auth:
                    return new(FailureCategory.SecurityError, $"the TLS handshake with {hostPort} failed: {auth.Message}{InnerText(auth)}",
                        $"The server was verified with {client.Tls.CaDescription}; {(client.Tls.ClientCertificate is null ? "no client certificate was sent — ACP's etcd requires one (-CertificatePath/-KeyPath)" : $"the client certificate {client.Tls.CertificatePath} was sent — it must be issued by the etcd CA")}.");
                case TimeoutException:
                case TaskCanceledException when inner.InnerException is TimeoutException:
                    return new(FailureCategory.OperationTimeout, $"{hostPort} did not answer in time", "Check that the address is etcd's client port and that no firewall drops the traffic, or raise -TimeoutSec.");
                case HttpProtocolException or HttpIOException when endpoint.Scheme == Uri.UriSchemeHttp:
                    return new(FailureCategory.ProtocolError, $"{hostPort} does not speak plain HTTP/2 gRPC ({inner.Message})", "If etcd serves TLS there (ACP does), use https:// and the TLS files.");
                case IOException or ObjectDisposedException when endpoint.Scheme == Uri.UriSchemeHttps && client.Tls.ClientCertificate is null:
                    return new(FailureCategory.SecurityError, $"{hostPort} closed the TLS connection without answering: etcd runs with client-certificate authentication (--client-cert-auth) and no client certificate was sent",
                        $"Pass a client certificate issued by the etcd CA and its key (-CertificatePath/-KeyPath; ACP: /etc/kubernetes/pki/apiserver-etcd-client.crt and .key). The server was verified with {client.Tls.CaDescription}.");
                case IOException or ObjectDisposedException when endpoint.Scheme == Uri.UriSchemeHttps && inner.Message.Contains("HTTP/2", StringComparison.Ordinal):
                    return new(FailureCategory.SecurityError, $"{hostPort} closed the TLS connection without answering: it did not accept the client certificate {client.Tls.CertificatePath}",
                        $"Use a client certificate issued by the CA of this etcd (each cluster has its own etcd CA). The server was verified with {client.Tls.CaDescription}.");
                case IOException io when endpoint.Scheme == Uri.UriSchemeHttps && inner.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase):
                    return new(FailureCategory.SecurityError, $"the TLS connection to {hostPort} failed: {io.Message}{InnerText(io)}",
                        $"The server was verified with {client.Tls.CaDescription}; if etcd runs with --client-cert-auth, pass a client certificate issued by its CA (-CertificatePath/-KeyPath).");
            }
        }

        if (exception is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal } unavailable)
        {
            var tlsHint = endpoint.Scheme == Uri.UriSchemeHttps
                ? $" The server was verified with {client.Tls.CaDescription}; {(client.Tls.ClientCertificate is null ? "no client certificate was sent" : $"the client certificate {client.Tls.CertificatePath} was sent")}."
                : " If etcd serves TLS there, use https://.";
            return new(FailureCategory.ConnectionError, $"etcd at {hostPort} is unavailable: {unavailable.Status.Detail}", $"Check that etcd runs and answers on that port.{tlsHint}");
        }

        return new(FailureCategory.ConnectionError, $"the call to etcd at {hostPort} failed: {exception.Message}", "");
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var seen = new HashSet<Exception>();
        var pending = new Stack<Exception>();
        pending.Push(exception);
        while (pending.Count > 0)
        {
            var e = pending.Pop();
            if (!seen.Add(e))
            {
                continue;
            }

            yield return e;
            if (e is RpcException { Status.DebugException: { } debug })
            {
                pending.Push(debug);
            }

            if (e is AggregateException aggregate)
            {
                foreach (var i in aggregate.InnerExceptions)
                {
                    pending.Push(i);
                }
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }

    private static string InnerText(Exception e) => e.InnerException is { } inner ? $" ({inner.Message})" : "";
}
