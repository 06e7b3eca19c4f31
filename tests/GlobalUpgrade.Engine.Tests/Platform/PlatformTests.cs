using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using Xunit;

namespace GlobalUpgrade.Tests.Platform;

public sealed class PlatformTests
{
    [Theory]
    [InlineData("v4.1.0", 4, 1, 0)]
    [InlineData("4.2", 4, 2, 0)]
    [InlineData(" v3.16.2-hotfix.3 ", 3, 16, 2)]
    public void ParsesTheVersionsProductBaseReports(string text, int major, int minor, int patch)
    {
        var v = PlatformVersion.Parse(text);
        Assert.Equal((major, minor, patch), (v.Major, v.Minor, v.Patch));
        Assert.Equal($"{major}.{minor}", v.Line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("4")]
    [InlineData("v4.2.99999999999")]
    [InlineData("99999999999.1")]
    [InlineData("v4.2147483648")]
    public void RefusesWhatIsNotAVersion(string text) =>
        Assert.Equal(ErrorIds.InvalidPlatformVersion, Assert.Throws<GlobalUpgradeException>(() => PlatformVersion.Parse(text)).ErrorId);

    [Theory]
    [InlineData("v3.16.0", "4.0", true)]
    [InlineData("v3.18.1", "4.1", true)]
    [InlineData("v4.0.3", "4.3", true)]
    [InlineData("v4.1.0", "4.1.2", true)]
    [InlineData("v3.16.0", "4.1", false)]
    [InlineData("v3.18.0", "4.2", false)]
    [InlineData("v4.2.0", "4.1", false)]
    [InlineData("v4.1.0", "4.1.0", false)]
    [InlineData("v4.3.0", "4.4", false)]
    public void KnowsTheSupportedPaths(string from, string to, bool supported)
    {
        Assert.Equal(supported, UpgradePaths.IsSupported(PlatformVersion.Parse(from), PlatformVersion.Parse(to), out var reason));
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Theory]
    [InlineData("v3.16.1", EtcdSyncKind.HelmRelease, ClusterRole.Primary, ComponentUpgradeKind.ClusterModule)]
    [InlineData("v3.18.0", EtcdSyncKind.PrimaryPlugin, ClusterRole.Primary, ComponentUpgradeKind.ClusterModule)]
    [InlineData("v4.1.0", EtcdSyncKind.StandbyPlugin, ClusterRole.Standby, ComponentUpgradeKind.ClusterModule)]
    [InlineData("v4.3.0", EtcdSyncKind.StandbyPlugin, ClusterRole.Standby, ComponentUpgradeKind.ClusterVersionShadow)]
    public void ProfilesFollowTheVersion(string version, EtcdSyncKind sync, ClusterRole host, ComponentUpgradeKind components)
    {
        var profile = PlatformProfile.For(PlatformVersion.Parse(version));
        Assert.Equal(sync, profile.EtcdSync);
        Assert.Equal(host, profile.EtcdSyncHost);
        Assert.Equal(components, profile.Line.ComponentUpgrade);
        Assert.Equal(version == "v4.3.0", profile.Line.HasPackagePreflight);
        Assert.False(profile.EtcdSyncLine.HasBootstrapJob);
        Assert.True(PlatformProfile.For(PlatformVersion.Parse("v4.3.1")).EtcdSyncLine.HasBootstrapJob);
    }
}
