using GlobalUpgrade.Errors;
using GlobalUpgrade.Validation;
using Xunit;

namespace GlobalUpgrade.Tests.Validation;

/// <summary>The one check of hosts, registries and etcd endpoints a user types: what passes comes back usable, what fails names itself.</summary>
public sealed class HostInputTests
{
    [Theory]
    [InlineData("10.0.0.10", "10.0.0.10")]
    [InlineData(" global.example.com ", "global.example.com")]
    [InlineData("fd00::10", "fd00::10")]
    [InlineData("[fd00::10]", "[fd00::10]")]
    public void AHostOrAddressIsReturnedTrimmed(string value, string expected) =>
        Assert.Equal(expected, HostInput.Host(value, "-ActiveClusterVip"));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("https://10.0.0.10:6443", "'10.0.0.10:6443'")]
    [InlineData("10.0.0.10 10.0.0.11", "not a DNS name")]
    [InlineData("host_with/slash", "not a DNS name")]
    public void AnythingElseIsHostInvalidNamingTheValueAndWhy(string value, string reason)
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => HostInput.Host(value, "-ActiveClusterVip"));
        Assert.Equal(ErrorIds.HostInvalid, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidArgument, ex.Category);
        Assert.Contains("-ActiveClusterVip", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("registry.example.com")]
    [InlineData("192.168.1.5:5000")]
    [InlineData("registry.example.com:11443/acp")]
    [InlineData("[fd00::5]:5000")]
    public void ARegistryIsHostPortAndAnOptionalPath(string value) =>
        Assert.Equal(value, HostInput.Registry(value, "-Registry"));

    [Theory]
    [InlineData("https://registry.example.com")]
    [InlineData("registry.example.com:0")]
    [InlineData("registry.example.com:70000")]
    [InlineData("registry.example.com:port")]
    [InlineData("reg istry")]
    [InlineData("")]
    public void ARegistryThatUpgradeShCannotTakeIsRegistryInvalid(string value)
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => HostInput.Registry(value, "-Registry"));
        Assert.Equal(ErrorIds.RegistryInvalid, ex.ErrorId);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://10.0.0.10:2379")]
    [InlineData("http://127.0.0.1:23790")]
    [InlineData("https://[fd00::10]:2379/")]
    public void AnEtcdEndpointIsHttpOrHttpsWithoutAPath(string value) =>
        Assert.Equal(new Uri(value), HostInput.EtcdEndpoint(new Uri(value), "-ActiveEtcdEndpoint"));

    [Theory]
    [InlineData("ftp://10.0.0.10:2379")]
    [InlineData("https://10.0.0.10:2379/v3/kv")]
    [InlineData("unix:///run/etcd.sock")]
    [InlineData("10.0.0.10:2379")]
    public void AnythingElseIsEtcdEndpointInvalidNamingIt(string value)
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => HostInput.EtcdEndpoint(new Uri(value, UriKind.RelativeOrAbsolute), "-ActiveEtcdEndpoint"));
        Assert.Equal(ErrorIds.EtcdEndpointInvalid, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidArgument, ex.Category);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
        Assert.Contains("https://<host>:2379", ex.Message, StringComparison.Ordinal);
    }
}
