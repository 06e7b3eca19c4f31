using GlobalUpgrade.Errors;
using GlobalUpgrade.Session;
using Xunit;

namespace GlobalUpgrade.Tests.Session;

public sealed class ConnectionRegistryTests
{
    [Fact]
    public void EmptySessionSaysHowToConnect()
    {
        var registry = ConnectionRegistry.ForSession(Guid.NewGuid());
        var none = Assert.Throws<GlobalUpgradeException>(() => registry.Resolve(null));
        Assert.Equal(ErrorIds.NoClusterConnected, none.ErrorId);
        Assert.Contains("Connect-GlobalCluster", none.Message, StringComparison.Ordinal);

        var named = Assert.Throws<GlobalUpgradeException>(() => registry.Get("primary"));
        Assert.Equal(ErrorIds.ClusterNotConnected, named.ErrorId);
        Assert.Equal(ErrorIds.ClusterNotConnected, Assert.Throws<GlobalUpgradeException>(() => registry.ByRole(ClusterRole.Standby)).ErrorId);
    }

    [Fact]
    public void SessionsAreSeparate()
    {
        var a = Guid.NewGuid();
        Assert.Same(ConnectionRegistry.ForSession(a), ConnectionRegistry.ForSession(a));
        Assert.NotSame(ConnectionRegistry.ForSession(a), ConnectionRegistry.ForSession(Guid.NewGuid()));
    }
}
