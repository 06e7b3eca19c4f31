using System.Net.Sockets;
using System.Security.Authentication;
using GlobalUpgrade.Errors;
using Grpc.Core;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// An etcd call's failure, told as what happened and what to fix. <see cref="ServerAnswered"/> is true only when
/// something at the far end demonstrably spoke TLS or etcd's protocol (a certificate arrived, or etcd sent a
/// status of its own, or a TLS alert): a timeout, a cancelled call or a dropped connection is never "answered".
/// Certificates are blamed only when the far end speaks TLS (its certificate arrived, or it refused the handshake
/// with a TLS alert), never for a port that sent something else or closed; a connection that drops is re-tried
/// once on TCP, so a member that died is told as such, not as a TLS problem.
/// </summary>
internal sealed record EtcdFailure(FailureCategory Category, string Reason, string Remedy, bool ServerAnswered = false)
{
    private static readonly TimeSpan ReprobeTimeout = TimeSpan.FromSeconds(2);

    public string Message => Remedy.Length == 0 ? Reason : $"{Reason}. {Remedy}";

    /// <summary>The message as a sentence of its own (capitalised).</summary>
    public string Sentence => Message.Length == 0 ? Message : char.ToUpperInvariant(Message[0]) + Message[1..];

    public static EtcdFailure Describe(Exception exception, EtcdClient client)
    {
        var endpoint = client.Endpoint;
        var hostPort = $"{endpoint.Host}:{endpoint.Port}";
        var tlsProblem = client.Observation.Problem;
        var speaksTls = client.Observation.CertificateSeen;
        if (tlsProblem is not null)
        {
            return new(FailureCategory.SecurityError, $"the TLS handshake with {hostPort} failed: {tlsProblem}", $"The server was verified with {client.Tls.CaDescription}.", ServerAnswered: speaksTls);
        }

        var timedOut = new EtcdFailure(FailureCategory.OperationTimeout, $"{hostPort} did not answer in time", "Check that the address is etcd's client port, that the member runs, and that no firewall drops the traffic, or raise -TimeoutSec.");
        if (exception is RpcException rpc)
        {
            switch (rpc.StatusCode)
            {
                case StatusCode.DeadlineExceeded:
                    return timedOut;
                case StatusCode.Unauthenticated:
                    return new(FailureCategory.AuthenticationError, $"etcd at {hostPort} refused the credentials: {rpc.Status.Detail}", "Check the etcd user name and password (-Credential), or use a client certificate instead.", ServerAnswered: true);
                case StatusCode.PermissionDenied:
                    return new(FailureCategory.PermissionDenied, $"etcd at {hostPort} denied the request: {rpc.Status.Detail}", "The etcd user needs read access to the whole prefix (role with a read permission on it).", ServerAnswered: true);
                case StatusCode.OutOfRange when rpc.Status.Detail.Contains("compacted", StringComparison.OrdinalIgnoreCase):
                    return new(FailureCategory.InvalidOperation, $"etcd at {hostPort} compacted the revision the scan was pinned to ({rpc.Status.Detail})", "Run the comparison again; a larger -PageSize makes the scan shorter.", ServerAnswered: true);
                case StatusCode.Cancelled or StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown:
                    // Made up by the client from what the transport did: the cause is further down.
                    break;
                default:
                    return new(FailureCategory.ProtocolError, $"etcd at {hostPort} answered {rpc.StatusCode}: {rpc.Status.Detail}", "", ServerAnswered: true);
            }
        }

        var clientCertificate = client.Tls.ClientCertificate is null ? "no client certificate was sent" : $"the client certificate {client.Tls.CertificatePath} was sent";
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
                case TimeoutException:
                case TaskCanceledException when inner.InnerException is TimeoutException:
                    return timedOut;
                case AuthenticationException auth when !speaksTls && IsNotTls(auth):
                    return new(FailureCategory.ProtocolError, $"{hostPort} does not speak TLS: it answered the TLS handshake with something else ({auth.Message}) — most likely etcd's plain-HTTP listener", $"Use http://{hostPort} if that port is meant to be plain, or the member's TLS client port with https://.");
                case AuthenticationException auth when !speaksTls && IsClosed(auth):
                    return Died(client.Address) ?? NoTls(hostPort, $"closed the connection during the TLS handshake before sending any certificate ({auth.Message}{InnerText(auth)})");
                case AuthenticationException auth:
                    // A TLS alert: the far end speaks TLS and refused the handshake (typically a required client certificate).
                    return new(FailureCategory.SecurityError, $"the TLS handshake with {hostPort} failed: {auth.Message}{InnerText(auth)}",
                        $"The server was verified with {client.Tls.CaDescription}; {(client.Tls.ClientCertificate is null ? "no client certificate was sent — ACP's etcd requires one (-CertificatePath/-KeyPath)" : $"the client certificate {client.Tls.CertificatePath} was sent — it must be issued by the etcd CA")}.", ServerAnswered: true);
                case HttpProtocolException or HttpIOException when endpoint.Scheme == Uri.UriSchemeHttp:
                    return Died(client.Address) ?? new(FailureCategory.ProtocolError, $"{hostPort} does not speak plain HTTP/2 gRPC ({inner.Message})", "If etcd serves TLS there (ACP does), use https:// and the TLS files.");
                case IOException or ObjectDisposedException when endpoint.Scheme == Uri.UriSchemeHttps && !speaksTls:
                    return Died(client.Address) ?? NoTls(hostPort, $"closed the connection before any TLS handshake ({inner.Message})");
                case IOException or ObjectDisposedException when endpoint.Scheme == Uri.UriSchemeHttps && client.Tls.ClientCertificate is null:
                    return Died(client.Address) ?? new(FailureCategory.SecurityError, $"{hostPort} closed the TLS connection after its certificate without answering: etcd runs with client-certificate authentication (--client-cert-auth) and no client certificate was sent",
                        $"Pass a client certificate issued by the etcd CA and its key (-CertificatePath/-KeyPath; ACP: /etc/kubernetes/pki/apiserver-etcd-client.crt and .key). The server was verified with {client.Tls.CaDescription}.", ServerAnswered: true);
                case IOException or ObjectDisposedException when endpoint.Scheme == Uri.UriSchemeHttps && inner.Message.Contains("HTTP/2", StringComparison.Ordinal):
                    return Died(client.Address) ?? new(FailureCategory.SecurityError, $"{hostPort} closed the TLS connection after its certificate without answering: it did not accept the client certificate {client.Tls.CertificatePath}",
                        $"Use a client certificate issued by the CA of this etcd (each cluster has its own etcd CA). The server was verified with {client.Tls.CaDescription}.", ServerAnswered: true);
                case IOException io when endpoint.Scheme == Uri.UriSchemeHttps && inner.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase):
                    return Died(client.Address) ?? new(FailureCategory.SecurityError, $"the TLS connection to {hostPort} failed: {io.Message}{InnerText(io)}",
                        $"The server was verified with {client.Tls.CaDescription}; if etcd runs with --client-cert-auth, pass a client certificate issued by its CA (-CertificatePath/-KeyPath).", ServerAnswered: true);
            }
        }

        if (exception is RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Cancelled by the transport (not by the caller: the callers rethrow that): nothing came back in time.
            return timedOut with { Reason = $"{hostPort} did not answer: the call was cancelled before any answer ({((RpcException)exception).Status.Detail})" };
        }

        if (exception is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown } unavailable)
        {
            if (Died(client.Address) is { } died)
            {
                return died;
            }

            var tlsHint = endpoint.Scheme == Uri.UriSchemeHttps
                ? speaksTls ? $" The server was verified with {client.Tls.CaDescription}; {clientCertificate}." : " No TLS handshake was completed."
                : " If etcd serves TLS there, use https://.";
            return new(FailureCategory.ConnectionError, $"etcd at {hostPort} is unavailable: {unavailable.Status.Detail}", $"Check that etcd runs and answers on that port.{tlsHint}");
        }

        return new(FailureCategory.ConnectionError, $"the call to etcd at {hostPort} failed: {exception.Message}", "");
    }

    /// <summary>A connection dropped mid-call: if the port now refuses connections, the member died (or restarted).</summary>
    private static EtcdFailure? Died(Uri endpoint)
    {
        try
        {
            using var tcp = new TcpClient(endpoint.HostNameType == UriHostNameType.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            tcp.ConnectAsync(endpoint.IdnHost, endpoint.Port).Wait(ReprobeTimeout);
            return null;
        }
        catch (AggregateException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return new(FailureCategory.ConnectionError, $"etcd at {endpoint.Host}:{endpoint.Port} stopped answering: the connection dropped and the port now refuses connections — the member died or is restarting",
                "Check the etcd member (systemctl status etcd, or its static pod) and retry when it runs again.");
        }
        catch (Exception ex) when (ex is AggregateException or SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>The far end accepted TCP and never sent a certificate: it does not speak TLS there — no certificate is to blame.</summary>
    private static EtcdFailure NoTls(string hostPort, string what) => new(
        FailureCategory.ConnectionError,
        $"{hostPort} {what}: it does not speak TLS on that port",
        $"If that is etcd's plain-HTTP listener, use http://{hostPort}; otherwise check that the address is etcd's TLS client port (2379) and that the member runs. Certificates were not reached, so they are not the cause.");

    private static bool IsClosed(AuthenticationException auth) =>
        Chain(auth).Any(e => e is EndOfStreamException || e.Message.Contains("EOF", StringComparison.Ordinal) || e.Message.Contains("0 bytes", StringComparison.Ordinal) || e.Message.Contains("closed the transport stream", StringComparison.Ordinal));

    private static bool IsNotTls(AuthenticationException auth) =>
        Chain(auth).Any(e => e.Message.Contains("frame", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("wrong version", StringComparison.OrdinalIgnoreCase));

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
