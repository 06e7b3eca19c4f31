using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Etcdserverpb;
using GlobalUpgrade.Etcd;
using Google.Protobuf;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>
/// A CA, a server certificate (127.0.0.1, localhost), a client certificate, and an unrelated second CA, written as
/// PEM files to a temporary folder — what ACP's /etc/kubernetes/pki/etcd holds, made for the tests.
/// </summary>
public sealed class EtcdTestPki : IDisposable
{
    public EtcdTestPki()
    {
        Folder = Directory.CreateTempSubdirectory("gu-etcd-pki-").FullName;
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("CN=GlobalUpgrade test etcd CA", caKey, notBefore, notAfter);
        CaPath = WritePem("ca.crt", ca.ExportCertificatePem());
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = CreateCa("CN=Some other CA", otherKey, notBefore, notAfter);
        OtherCaPath = WritePem("other-ca.crt", other.ExportCertificatePem());
        (ServerCertificatePath, ServerKeyPath) = Issue(ca, "server", "CN=etcd-test-server", server: true, notBefore, notAfter);
        (ClientCertificatePath, ClientKeyPath) = Issue(ca, "client", "CN=apiserver-etcd-client", server: false, notBefore, notAfter);
    }

    public string Folder { get; }

    public string CaPath { get; }

    public string OtherCaPath { get; }

    public string ServerCertificatePath { get; }

    public string ServerKeyPath { get; }

    public string ClientCertificatePath { get; }

    public string ClientKeyPath { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2 CreateCa(string subject, ECDsa key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    private (string Certificate, string Key) Issue(X509Certificate2 ca, string name, string subject, bool server, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
        if (server)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var certificate = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return (WritePem($"{name}.crt", certificate.ExportCertificatePem()), WritePem($"{name}.key", key.ExportPkcs8PrivateKeyPem()));
    }

    private string WritePem(string name, string pem)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, pem + "\n");
        return path;
    }
}

/// <summary>
/// A real etcd (/usr/bin/etcd, Debian's etcd-server) on free loopback ports with a temporary data folder: TLS with
/// client-certificate authentication on one port and plain HTTP on another, both serving the same data.
/// </summary>
public sealed class EtcdTestServer : IAsyncDisposable
{
    private readonly FixtureServer server;
    private readonly string folder;

    private EtcdTestServer(FixtureServer server, string folder)
    {
        this.server = server;
        this.folder = folder;
        TlsEndpoint = new Uri(server.Fields["tls"]);
        PlainEndpoint = new Uri(server.Fields["plain"]);
    }

    public Uri TlsEndpoint { get; }

    public Uri PlainEndpoint { get; }

    public static async Task<EtcdTestServer> StartAsync(EtcdTestPki pki, string name)
    {
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var folder = Path.Combine(root, $"gu-etcd-{name}-{Guid.NewGuid():N}");
        // tests/fixtures/etcd/start-etcd.sh (shared with the Pester tests) holds the flags, picks the ports, retries
        // when one was taken and returns once etcd answers; it says what to install when /usr/bin/etcd is missing.
        var server = await FixtureServer.StartAsync("tests/fixtures/etcd/start-etcd.sh", name, folder, pki.CaPath, pki.ServerCertificatePath, pki.ServerKeyPath).ConfigureAwait(false);
        return new EtcdTestServer(server, folder);
    }

    /// <summary>Kills etcd at once (a crash, as far as clients can tell).</summary>
    public void Kill() => server.Kill();

    public Task PutAsync(IEnumerable<(string Key, string Value)> pairs) =>
        PutAsync(pairs.Select(p => (ByteString.CopyFromUtf8(p.Key), ByteString.CopyFromUtf8(p.Value))));

    /// <summary>Keys as bytes: etcd keys need not be UTF-8.</summary>
    public async Task PutAsync(IEnumerable<(ByteString Key, ByteString Value)> pairs)
    {
        using var client = OpenPlain();
        foreach (var chunk in pairs.Chunk(5000))
        {
            var txn = new TxnRequest();
            foreach (var (key, value) in chunk)
            {
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = value } });
            }

            await client.Kv.TxnAsync(txn, client.Call(CancellationToken.None));
        }
    }

    /// <summary>Deletes every key that starts with <paramref name="prefix"/>.</summary>
    public async Task DeleteAsync(string prefix)
    {
        using var client = OpenPlain();
        var key = ByteString.CopyFromUtf8(prefix);
        await client.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = key, RangeEnd = KeyspaceScanner.PrefixEnd(key) }, client.Call(CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        server.Dispose();
        await Task.Yield();
        try
        {
            Directory.Delete(folder, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal EtcdClient OpenPlain() =>
        EtcdClient.Open(PlainEndpoint, EtcdTlsMaterial.Load(new EtcdClientOptions("test", [PlainEndpoint])), TimeSpan.FromSeconds(10));

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
