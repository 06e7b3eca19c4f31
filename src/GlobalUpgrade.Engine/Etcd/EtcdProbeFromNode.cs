using GlobalUpgrade.Remote;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Test-EtcdEndpoint's probe with the connection opened by a node instead of this machine: first the node's own TCP
/// connect (so that a refusal is told in the node's words — through a forward, a connection the node cannot open is
/// only a connection closed here), then the TLS handshake and the status through an SSH local forward. The server's
/// certificate is verified against the CA only: the tunnel's address is not the member's name.
/// </summary>
public static class EtcdProbeFromNode
{
    /// <summary>The probe of <paramref name="options"/>' first endpoint from <paramref name="node"/>; Refusal is set (and Probe null) when the node cannot connect.</summary>
    public static async Task<(string? Refusal, CheckResult? Probe)> ProbeAsync(IRemoteHost node, EtcdClientOptions options, EtcdTlsMaterial tls, CancellationToken cancellationToken)
    {
        var endpoint = options.Endpoints[0];
        var refusal = await ConnectAsync(node, endpoint, options.EffectiveTimeout, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return (refusal, null);
        }

        TcpForward? forward = null;
        try
        {
            var through = endpoint;
            if (node is ITcpForwarder forwarder)
            {
                forward = await forwarder.ForwardAsync(BareHost(endpoint), endpoint.Port, cancellationToken).ConfigureAwait(false);
                through = new UriBuilder(endpoint.Scheme, forward.LocalEndPoint.Address.ToString(), forward.LocalEndPoint.Port).Uri;
            }

            return (null, await EtcdEndpointProbe.TestAsync(options, tls, through, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            forward?.Dispose();
        }
    }

    /// <summary>Test-EtcdEndpoint -ViaComputerName: the same check, from the node, with this machine's TLS files.</summary>
    public static async Task<CheckResult> TestAsync(EtcdClientOptions options, RemoteSessions sessions, RemoteTarget via, CancellationToken cancellationToken)
    {
        var tls = EtcdTlsMaterial.Load(options);
        var endpoint = options.Endpoints[0];
        var node = await sessions.OpenAsync(via, cancellationToken).ConfigureAwait(false);
        var (refusal, probe) = await ProbeAsync(node, options, tls, cancellationToken).ConfigureAwait(false);
        var from = $"from {via.DisplayName}";
        if (probe is null)
        {
            return new CheckResult
            {
                Check = EtcdEndpointProbe.CheckName,
                Target = endpoint.ToString(),
                State = CheckState.Failed,
                Expected = $"a TCP connection from {via.DisplayName}",
                Actual = refusal,
                Message = $"Nothing answers on {endpoint.Host}:{endpoint.Port} as seen from {via.DisplayName} ({refusal}). Check that etcd listens there and, through a VIP, that port {endpoint.Port} is forwarded (TCP) to the control-plane nodes and open from that node.",
                Detail = new Dictionary<string, object?> { ["From"] = via.DisplayName },
            };
        }

        var detail = probe.Detail is null ? [] : new Dictionary<string, object?>(probe.Detail);
        detail["From"] = via.DisplayName;
        return new CheckResult
        {
            Check = probe.Check,
            Target = probe.Target,
            State = probe.State,
            Expected = $"{probe.Expected}, {from} (server name not checked through the SSH tunnel)",
            Actual = probe.Actual,
            Message = $"{probe.Message.TrimEnd('.')} ({from}, through an SSH tunnel: the server's certificate was verified against the CA only).",
            Detail = detail,
        };
    }

    /// <summary>A TCP connect made by the node itself (bash's /dev/tcp, closed at once): null when it connected, else why not.</summary>
    private static async Task<string?> ConnectAsync(IRemoteHost node, Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        var script = $"timeout {seconds} bash -c {RemoteHost.Quote("exec 3<>\"/dev/tcp/$0/$1\"")} {RemoteHost.Quote(BareHost(endpoint))} {endpoint.Port}";
        var (exitCode, _, error) = await node.RunAsync(script, cancellationToken).ConfigureAwait(false);
        return exitCode switch
        {
            0 => null,
            124 => $"no answer within {seconds} s: a firewall may drop the traffic",
            _ => LastReason(error) ?? $"the connection failed (exit code {exitCode})",
        };
    }

    /// <summary>bash's last word on a failed connect: "bash: line 1: /dev/tcp/10.0.0.10/2379: Connection refused" → "Connection refused".</summary>
    private static string? LastReason(string error)
    {
        var last = error.Trim().Split('\n')[^1];
        var at = last.LastIndexOf(": ", StringComparison.Ordinal);
        return at < 0 ? null : last[(at + 2)..];
    }

    private static string BareHost(Uri endpoint) => endpoint.HostNameType == UriHostNameType.IPv6 ? endpoint.DnsSafeHost : endpoint.IdnHost;
}
