using System.Text.Json.Nodes;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using Xunit;

namespace GlobalUpgrade.Tests.EtcdSync;

/// <summary>[doc master UGC] The legacy plain-token keys of the synchronizer's settings, found by the [assumed] names.</summary>
public sealed class LegacyTokenConfigTests
{
    [Fact]
    public void FindsTheKeysAtAnyDepthIgnoringCaseAndPunctuation()
    {
        var config = JsonNode.Parse("""{"active":{"vip":"1.2.3.4","token":"plain"},"Active_Cluster_Token":"plain","checkIntervalSeconds":60}""");
        Assert.Equal(["active.token", "Active_Cluster_Token"], LegacyTokenConfig.Find(config, new EtcdSyncProfile()));
    }

    [Fact]
    public void NeverTheFieldThatNamesTheTokenSecret()
    {
        var config = JsonNode.Parse("""{"token":"etcd-sync-active-cluster-token","active":{"tokenSecretName":"etcd-sync-active-cluster-token"}}""");
        Assert.Empty(LegacyTokenConfig.Find(config, new EtcdSyncProfile()));
    }

    [Fact]
    public void TheNamesAreAnAssumptionThatCanBeReplaced()
    {
        Assert.True(new EtcdSyncProfile().TryWith("LegacyTokenKeys", "bearer", out var profile));
        var config = JsonNode.Parse("""{"bearer":"plain","token":"plain"}""");
        Assert.Equal(["bearer"], LegacyTokenConfig.Find(config, profile));
    }
}
