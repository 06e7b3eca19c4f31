using System.Globalization;
using System.Diagnostics;
using Etcdserverpb;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Test-EtcdEndpoint: connects to one etcd member (through a VIP:2379 forward, say), completes the TLS handshake
/// and asks for the member's status. A failed check is a CheckResult with Passed = false that says what to fix;
/// only bad arguments (missing or unusable TLS files, a malformed endpoint) throw.
/// </summary>
public static class EtcdEndpointProbe
{
    public const string CheckName = "EtcdEndpoint";

    public static Task<CheckResult> TestAsync(EtcdClientOptions options, CancellationToken cancellationToken) =>
        TestAsync(options, EtcdTlsMaterial.Load(options), through: null, cancellationToken);

    /// <summary>
    /// The probe of <paramref name="options"/>' first endpoint with TLS material from anywhere; through a forwarded
    /// port (<paramref name="through"/>) the connection starts on the node that forwards it, and the server's
    /// certificate is verified against the CA only (the tunnel's address is not the member's name).
    /// </summary>
    public static async Task<CheckResult> TestAsync(EtcdClientOptions options, EtcdTlsMaterial tls, Uri? through, CancellationToken cancellationToken)
    {
        var endpoint = options.Endpoints[0];
        var expected = $"a TLS handshake and a member status within {options.EffectiveTimeout.TotalSeconds:0.#} s";
        if (endpoint.Scheme == Uri.UriSchemeHttp)
        {
            expected = $"a member status within {options.EffectiveTimeout.TotalSeconds:0.#} s";
        }

        OperationLog.Current.Verbose($"Asking etcd at {endpoint}{(through is null ? "" : $" (through {through.Authority})")} for its status (server verified with {tls.CaDescription}{(tls.ClientCertificate is null ? "" : $", client certificate {tls.CertificatePath}")}).");
        using var client = EtcdClient.Open(endpoint, tls, options.EffectiveTimeout, through);
        var watch = Stopwatch.StartNew();
        try
        {
            if (options.UserName is not null)
            {
                await client.AuthenticateAsync(options.UserName, options.Password ?? "", cancellationToken).ConfigureAwait(false);
            }

            var status = await client.Maintenance.StatusAsync(new StatusRequest(), client.Call(cancellationToken)).ConfigureAwait(false);
            var connect = watch.Elapsed;

            // A second call on the open connection: the round trip without the handshake.
            watch.Restart();
            await client.Maintenance.StatusAsync(new StatusRequest(), client.Call(cancellationToken)).ConfigureAwait(false);
            var roundTrip = watch.Elapsed;

            var detail = new Dictionary<string, object?>
            {
                ["ClusterId"] = status.Header.ClusterId.ToString("x", CultureInfo.InvariantCulture),
                ["MemberId"] = status.Header.MemberId.ToString("x", CultureInfo.InvariantCulture),
                ["Version"] = status.Version,
                ["DbSize"] = status.DbSize,
                ["Leader"] = status.Leader.ToString("x", CultureInfo.InvariantCulture),
                ["IsLeader"] = status.Leader == status.Header.MemberId,
                ["RaftTerm"] = status.RaftTerm,
                ["Revision"] = status.Header.Revision,
                ["RoundTrip"] = roundTrip,
                ["ConnectTime"] = connect,
                ["CaPath"] = tls.CaPath,
                ["Errors"] = status.Errors.ToArray(),
            };
            var actual = $"etcd {status.Version}, cluster {status.Header.ClusterId:x}, member {status.Header.MemberId:x}, leader {status.Leader:x}, round trip {roundTrip.TotalMilliseconds:0.#} ms";
            if (status.Errors.Count > 0)
            {
                return new CheckResult
                {
                    Check = CheckName,
                    Target = endpoint.ToString(),
                    State = CheckState.Failed,
                    Expected = "a member without errors",
                    Actual = actual,
                    Message = $"etcd at {endpoint} answers but reports errors: {string.Join("; ", status.Errors)}. Fix them (e.g. a NOSPACE alarm: compact, defragment and disarm) before relying on this member.",
                    Detail = detail,
                };
            }

            if (status.Leader == 0)
            {
                return new CheckResult
                {
                    Check = CheckName,
                    Target = endpoint.ToString(),
                    State = CheckState.Failed,
                    Expected = "a member of a cluster with a leader",
                    Actual = actual,
                    Message = $"etcd at {endpoint} answers but its cluster has no leader: check the other members and the network between them.",
                    Detail = detail,
                };
            }

            return new CheckResult
            {
                Check = CheckName,
                Target = endpoint.ToString(),
                State = CheckState.Passed,
                Expected = expected,
                Actual = actual,
                Message = $"etcd {status.Version} at {endpoint} answered in {roundTrip.TotalMilliseconds:0.#} ms (connect and handshake {connect.TotalMilliseconds:0} ms), member {status.Header.MemberId:x} of cluster {status.Header.ClusterId:x}.",
                Detail = detail,
            };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = EtcdFailure.Describe(ex, client);
            return new CheckResult
            {
                Check = CheckName,
                Target = endpoint.ToString(),
                State = CheckState.Failed,
                Expected = expected,
                Actual = failure.Reason,
                Message = failure.Sentence,
                Detail = new Dictionary<string, object?>
                {
                    ["Category"] = failure.Category.ToString(),
                    ["ServerAnswered"] = failure.ServerAnswered,
                    ["CertificateSeen"] = client.Observation.CertificateSeen,
                    ["CertificateVerified"] = client.Observation.CertificateSeen && client.Observation.Problem is null && endpoint.Scheme == Uri.UriSchemeHttps,
                    ["CaPath"] = tls.CaPath,
                    ["CertificatePath"] = tls.CertificatePath,
                    ["Elapsed"] = watch.Elapsed,
                },
            };
        }
    }
}
