using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Tests.Etcd;
using GlobalUpgrade.Tests.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.EtcdSync;

/// <summary>A real TLS etcd, a TLS server with a certificate of the same CA that is not etcd, and one with a certificate of no etcd CA.</summary>
public sealed class EtcdPathFixture : IAsyncLifetime
{
    public EtcdTestPki Pki { get; } = new();

    public EtcdTestServer Etcd { get; private set; } = null!;

    public NotEtcdTlsServer SameCa { get; private set; } = null!;

    public NotEtcdTlsServer OtherCa { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Etcd = await EtcdTestServer.StartAsync(Pki, "path");
        SameCa = new NotEtcdTlsServer(NotEtcdTlsServer.FromPem(Pki.ServerCertificatePath, Pki.ServerKeyPath));
        OtherCa = new NotEtcdTlsServer(NotEtcdTlsServer.SelfSigned());
    }

    public async Task DisposeAsync()
    {
        await Etcd.DisposeAsync();
        await SameCa.DisposeAsync();
        await OtherCa.DisposeAsync();
        Pki.Dispose();
    }
}

/// <summary>
/// CheckEtcdPorts' probe: from a "standby node" (a real sshd on loopback, through an SSH local forward), with the CA
/// and client certificate read over SSH from a "primary node" (the same sshd: files of its host).
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class EtcdPathCheckTests(SshdFixture sshd, EtcdPathFixture servers) : IClassFixture<EtcdPathFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private EtcdNodePki Pki => new(servers.Pki.CaPath, servers.Pki.ClientCertificatePath, servers.Pki.ClientKeyPath);

    private async Task<CheckResult> CheckAsync(Uri endpoint, EtcdNodePki? pki = null, RemoteTarget? standbyNode = null)
    {
        using var sessions = new RemoteSessions();
        return await EtcdPathCheck.CheckAsync(sessions, standbyNode ?? sshd.Target(), "active", sshd.Target(), pki ?? Pki, endpoint, Timeout, CancellationToken.None);
    }

    [Fact]
    public async Task ARealEtcdPassesFromTheStandbysNode()
    {
        var result = await CheckAsync(servers.Etcd.TlsEndpoint);
        Assert.True(result.Passed, result.Message);
        Assert.Equal(CheckState.Passed, result.State);
        Assert.Equal($"the standby's node 127.0.0.1:{sshd.Port}", result.Detail!["From"]);
        Assert.StartsWith("3.", (string)result.Detail["Version"]!);
        Assert.Contains($"{servers.Pki.CaPath} on 127.0.0.1:{sshd.Port}", result.Message, StringComparison.Ordinal);
        Assert.Contains("server name is not checked", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClosedPortFailsAsSeenFromTheNode()
    {
        var closed = new Uri($"https://127.0.0.1:{EtcdTestServer.FreePort()}");
        var result = await CheckAsync(closed);
        Assert.Equal(CheckState.Failed, result.State);
        Assert.Contains("Nothing answers on 127.0.0.1:", result.Message, StringComparison.Ordinal);
        Assert.Contains($"from the standby's node 127.0.0.1:{sshd.Port}", result.Message, StringComparison.Ordinal);
        Assert.Contains("refused", result.Actual, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("another CA", "A TLS server answers on 127.0.0.1:", "it is not the active cluster's etcd: the TLS handshake")]
    [InlineData("the etcd CA", "A TLS server with a certificate of the active cluster's etcd CA answers", "but it does not answer as etcd")]
    public async Task ATlsServerThatIsNotEtcdFails(string certificateOf, string says, string because)
    {
        var server = certificateOf == "another CA" ? servers.OtherCa : servers.SameCa;
        var result = await CheckAsync(server.Endpoint);
        Assert.Equal(CheckState.Failed, result.State);
        Assert.Contains(says, result.Message, StringComparison.Ordinal);
        Assert.Contains(because, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreadableCaIsNotChecked()
    {
        var result = await CheckAsync(servers.Etcd.TlsEndpoint, Pki with { CaPath = "/nonexistent/etcd/ca.crt" });
        Assert.Equal(CheckState.NotChecked, result.State);
        Assert.False(result.Passed);
        Assert.Contains("/nonexistent/etcd/ca.crt could not be read on 127.0.0.1:", result.Message, StringComparison.Ordinal);
        Assert.Contains("EtcdCaPath", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAClientCertificateEtcdsCertificateIsNotEnough()
    {
        var result = await CheckAsync(servers.Etcd.TlsEndpoint, Pki with { KeyPath = "/nonexistent/client.key" });
        Assert.Equal(CheckState.NotChecked, result.State);
        Assert.Contains("could not be asked for an etcd status", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutSshToTheStandbyTheWorkstationProbeIsLabelledAndNeverPasses()
    {
        var unreachable = sshd.Target(t => t with { Port = EtcdTestServer.FreePort(), ConnectTimeout = TimeSpan.FromSeconds(3) });
        var result = await CheckAsync(servers.Etcd.TlsEndpoint, standbyNode: unreachable);
        Assert.Equal(CheckState.NotChecked, result.State);
        Assert.False(result.Passed);
        Assert.StartsWith("Probed from this workstation, not from the standby's node", result.Message, StringComparison.Ordinal);
        Assert.Contains("NOT CHECKED from the standby", result.Message, StringComparison.Ordinal);
        Assert.Equal("this workstation", result.Detail!["From"]);
    }
}
