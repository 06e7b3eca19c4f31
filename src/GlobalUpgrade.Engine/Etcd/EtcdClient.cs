using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// One gRPC channel to one etcd member, built on dotnet-etcd's generated v3 API clients. TLS is verified against
/// the given CA file (never skipped); what the verification found is kept so a failure can say what to fix.
/// </summary>
internal sealed class EtcdClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly CallInvoker invoker;
    private readonly TimeSpan timeout;
    private Metadata? headers;

    private EtcdClient(Uri endpoint, Uri address, GrpcChannel channel, TimeSpan timeout, EtcdTlsMaterial tls, TlsObservation observation)
    {
        Endpoint = endpoint;
        Address = address;
        this.channel = channel;
        this.timeout = timeout;
        Tls = tls;
        Observation = observation;
        invoker = channel.CreateCallInvoker();
        Kv = new KV.KVClient(invoker);
        Maintenance = new Maintenance.MaintenanceClient(channel);
    }

    /// <summary>The member as messages name it.</summary>
    public Uri Endpoint { get; }

    /// <summary>Where the connection goes: the endpoint itself, or a forwarded port that reaches it from a node.</summary>
    public Uri Address { get; }

    public EtcdTlsMaterial Tls { get; }

    public TlsObservation Observation { get; }

    public KV.KVClient Kv { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    /// <param name="through">
    /// A forwarded port that reaches <paramref name="endpoint"/> from a node: the connection goes there, and the
    /// server's certificate is verified against the CA only — the name the connection uses is the tunnel's, not the member's.
    /// </param>
    public static EtcdClient Open(Uri endpoint, EtcdTlsMaterial tls, TimeSpan timeout, Uri? through = null)
    {
        var address = through ?? endpoint;
        var observation = new TlsObservation();
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        };
        if (address.Scheme == Uri.UriSchemeHttps)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = tls.ClientCertificate is null ? null : [tls.ClientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Verify(endpoint, tls, observation, certificate, chain, through is null ? errors : errors & ~SslPolicyErrors.RemoteCertificateNameMismatch),
            };
        }

        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 512 * 1024 * 1024,
            MaxRetryAttempts = 0,
        });
        return new EtcdClient(endpoint, address, channel, timeout, tls, observation);
    }

    /// <summary>
    /// KV.Range with the response kept as raw bytes in a <see cref="KeyPage"/> (no object per key): the same RPC
    /// as <see cref="Kv"/>'s, with another deserializer.
    /// </summary>
    public async Task<KeyPage> RangePageAsync(RangeRequest request, PageBuffers buffers, CancellationToken cancellationToken)
    {
        var method = new Method<RangeRequest, KeyPage>(
            MethodType.Unary,
            "etcdserverpb.KV",
            "Range",
            Marshallers.Create<RangeRequest>(r => r.ToByteArray(), _ => throw new NotSupportedException()),
            new Marshaller<KeyPage>((_, _) => throw new NotSupportedException(), context => KeyPage.Parse(context.PayloadAsReadOnlySequence(), buffers)));
        return await invoker.AsyncUnaryCall(method, null, Call(cancellationToken), request).ResponseAsync.ConfigureAwait(false);
    }

    public CallOptions Call(CancellationToken cancellationToken) => new(headers, DateTime.UtcNow + timeout, cancellationToken);

    /// <summary>Logs in as an etcd user (etcd's own auth, on top of TLS); the token goes with every later call.</summary>
    public async Task AuthenticateAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var auth = new Auth.AuthClient(channel);
        var response = await auth.AuthenticateAsync(new AuthenticateRequest { Name = userName, Password = password }, Call(cancellationToken)).ConfigureAwait(false);
        headers = new Metadata { { "token", response.Token } };
    }

    public void Dispose() => channel.Dispose();

    private static bool Verify(Uri endpoint, EtcdTlsMaterial tls, TlsObservation observation, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        observation.CertificateSeen = certificate is not null;
        if (certificate is null)
        {
            observation.Problem = "the server sent no certificate";
            return false;
        }

        using var server = new X509Certificate2(certificate);
        var problems = new List<string>();
        if (tls.TrustedCas is null)
        {
            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                problems.Add($"its certificate ({server.Subject}, issued by {server.Issuer}) is not trusted by the system trust store; pass the etcd CA file (ACP: /etc/kubernetes/pki/etcd/ca.crt)");
            }
        }
        else
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(tls.TrustedCas);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented is not null)
            {
                foreach (var element in presented.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (!chain.Build(server))
            {
                var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
                problems.Add($"its certificate ({server.Subject}, issued by {server.Issuer}) was not issued by the CA in {tls.CaPath} ({status})");
            }
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            var names = server.Extensions.OfType<X509SubjectAlternativeNameExtension>()
                .SelectMany(e => e.EnumerateDnsNames().Concat(e.EnumerateIPAddresses().Select(ip => ip.ToString())))
                .ToList();
            problems.Add($"its certificate does not name '{endpoint.Host}' (it names {(names.Count == 0 ? server.Subject : string.Join(", ", names))}); connect by one of those names");
        }

        observation.Problem = problems.Count == 0 ? null : string.Join("; ", problems);
        return problems.Count == 0;
    }
}

/// <summary>What the TLS verification of the last handshake found wrong (null = nothing).</summary>
internal sealed class TlsObservation
{
    private volatile string? problem;

    public string? Problem
    {
        get => problem;
        set => problem = value;
    }

    /// <summary>True once a server certificate arrived: the far end speaks TLS (a failure after it is about TLS).</summary>
    public bool CertificateSeen { get; set; }
}
