using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

/// <summary>[doc master encryption.mdx] The synchronizer v4.3.7 or later where the etcd Encryption Manager is installed.</summary>
public sealed class EtcdSyncEncryptionConditionTests
{
    private static readonly InstalledPlugin Encryption = new("global", "some-encryption-module", "v4.3.0", "global-e1") { DisplayName = "etcd Encryption Manager" };

    private static List<CheckResult> Judge(params InstalledPlugin[] plugins) =>
        ReadinessConditions.Judge(new ReadinessFacts { Cluster = "standby", Target = PlatformVersion.Parse("4.3"), RunningVersion = "v4.3.1", InstalledPlugins = plugins })
            .Where(r => r.Check == EtcdSyncEncryptionCondition.Check).ToList();

    private static InstalledPlugin Sync(string version) => new("global", EtcdSyncLine.PluginModuleName, version, "global-s1");

    [Fact]
    public void FailsASynchronizerOlderThan437NextToTheEncryptionManager()
    {
        var result = Assert.Single(Judge(Encryption, Sync("v4.3.1")));
        Assert.Equal(CheckState.Failed, result.State);
        Assert.Equal("standby/global/etcd-sync", result.Target);
        Assert.Contains("SeedBundle", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v4.3.7")]
    [InlineData("v4.4.0")]
    public void PassesV437AndLater(string version) =>
        Assert.Equal(CheckState.Passed, Assert.Single(Judge(Encryption, Sync(version))).State);

    [Fact]
    public void PassesAnyVersionWithoutTheEncryptionManager() =>
        Assert.Equal(CheckState.Passed, Assert.Single(Judge(Sync("v4.3.1"))).State);

    [Fact]
    public void AnUnreadableVersionIsNotChecked() =>
        Assert.Equal(CheckState.NotChecked, Assert.Single(Judge(Encryption, Sync("unknown"))).State);

    [Fact]
    public void DoesNotApplyBefore4x() =>
        Assert.DoesNotContain(ReadinessConditions.Judge(new ReadinessFacts { Cluster = "p", Target = PlatformVersion.Parse("4.0"), RunningVersion = "v3.18.0", InstalledPlugins = [Encryption] }),
            r => r.Check == EtcdSyncEncryptionCondition.Check);
}
