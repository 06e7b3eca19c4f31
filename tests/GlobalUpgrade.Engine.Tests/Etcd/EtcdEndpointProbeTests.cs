using GlobalUpgrade.Errors;
using GlobalUpgrade.Etcd;
using Xunit;

namespace GlobalUpgrade.Tests.Etcd;

[Collection(EtcdCollection.Name)]
public sealed class EtcdEndpointProbeTests(EtcdPairFixture etcd)
{
    [Fact]
    public async Task TlsEndpointPassesWithTheMembersStatus()
    {
        var result = await EtcdEndpointProbe.TestAsync(Tls(etcd.Pki.CaPath), default);
        Assert.True(result.Passed, result.Message);
        Assert.Equal("EtcdEndpoint", result.Check);
        Assert.Equal(etcd.Primary.TlsEndpoint.ToString(), result.Target);
        Assert.StartsWith("3.", (string)result.Detail!["Version"]!);
        Assert.False(string.IsNullOrEmpty((string)result.Detail["ClusterId"]!));
        Assert.False(string.IsNullOrEmpty((string)result.Detail["MemberId"]!));
        Assert.IsType<TimeSpan>(result.Detail["RoundTrip"]);
        Assert.True((long)result.Detail["DbSize"]! > 0);
    }

    [Fact]
    public async Task PlainEndpointPasses()
    {
        var result = await EtcdEndpointProbe.TestAsync(new EtcdClientOptions("endpoint", [etcd.Standby.PlainEndpoint]), default);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public async Task AWrongCaFailsAndNamesTheCa()
    {
        var result = await EtcdEndpointProbe.TestAsync(Tls(etcd.Pki.OtherCaPath), default);
        Assert.False(result.Passed);
        Assert.Contains(etcd.Pki.OtherCaPath, result.Message);
        Assert.Contains("TLS", result.Message);
    }

    [Fact]
    public async Task NoClientCertificateFails()
    {
        var options = new EtcdClientOptions("endpoint", [etcd.Primary.TlsEndpoint], CaPath: etcd.Pki.CaPath, Timeout: TimeSpan.FromSeconds(5));
        var result = await EtcdEndpointProbe.TestAsync(options, default);
        Assert.False(result.Passed);
        Assert.Contains("client certificate", result.Message);
    }

    [Fact]
    public async Task AClosedPortFailsWithWhatToFix()
    {
        var closed = new Uri($"http://127.0.0.1:{EtcdTestServer.FreePort()}");
        var result = await EtcdEndpointProbe.TestAsync(new EtcdClientOptions("endpoint", [closed]), default);
        Assert.False(result.Passed);
        Assert.Contains("refused", result.Message);
        Assert.Contains("not forwarded", result.Message);
    }

    [Fact]
    public async Task PlainHttpAgainstTheTlsPortFails()
    {
        var wrongScheme = new UriBuilder(etcd.Primary.TlsEndpoint) { Scheme = "http" }.Uri;
        var result = await EtcdEndpointProbe.TestAsync(new EtcdClientOptions("endpoint", [wrongScheme], Timeout: TimeSpan.FromSeconds(5)), default);
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task AMissingKeyFileIsAnArgumentError()
    {
        var options = Tls(etcd.Pki.CaPath) with { KeyPath = "/nonexistent/client.key" };
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => EtcdEndpointProbe.TestAsync(options, default));
        Assert.Equal(ErrorIds.EtcdCertificateFileNotFound, ex.ErrorId);
    }

    private EtcdClientOptions Tls(string caPath) =>
        new("endpoint", [etcd.Primary.TlsEndpoint], etcd.Pki.ClientCertificatePath, etcd.Pki.ClientKeyPath, caPath, Timeout: TimeSpan.FromSeconds(5));
}
