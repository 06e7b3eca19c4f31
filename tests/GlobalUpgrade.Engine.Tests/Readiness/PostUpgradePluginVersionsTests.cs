using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

/// <summary>PluginNotDowngraded and PluginNotBehind (before 4.3): a plugin's version against Preflight's record and the platform's offer.</summary>
public sealed class PostUpgradePluginVersionsTests
{
    private static PostUpgradeFacts Facts(string to, IReadOnlyDictionary<string, string>? before, params InstalledPlugin[] plugins) => new()
    {
        Cluster = "primary",
        Target = PlatformVersion.Parse(to),
        InstalledPlugins = plugins,
        PluginsBefore = before,
    };

    private static CheckResult One(PostUpgradeFacts facts, string check, string target) =>
        Assert.Single(PostUpgradeConditions.Judge(facts), r => r.Check == check && r.Target == target);

    [Fact]
    public void APluginBelowItsRecordedVersionFails()
    {
        var facts = Facts("4.2.1", new Dictionary<string, string> { ["global/acp-base"] = "v4.2.0", ["global/velero"] = "v1.2.0" },
            new InstalledPlugin("global", "acp-base", "v4.1.0", "global-a"), new InstalledPlugin("global", "velero", "v1.3.0", "global-b"));
        var lowered = One(facts, ReadinessCheckNames.PluginNotDowngraded, "primary/global/acp-base");
        Assert.Equal(CheckState.Failed, lowered.State);
        Assert.Contains("ran v4.2.0 before the upgrade and runs v4.1.0 now", lowered.Message, StringComparison.Ordinal);
        Assert.Equal(CheckState.Passed, One(facts, ReadinessCheckNames.PluginNotDowngraded, "primary/global/velero").State);
    }

    [Fact]
    public void WithoutARecordOrWithThePluginGoneItIsNotChecked()
    {
        var unrecorded = One(Facts("4.2", null), ReadinessCheckNames.PluginNotDowngraded, "primary");
        Assert.Equal(CheckState.NotChecked, unrecorded.State);
        var gone = One(Facts("4.2", new Dictionary<string, string> { ["global/velero"] = "v1.2.0" }), ReadinessCheckNames.PluginNotDowngraded, "primary/global/velero");
        Assert.Equal(CheckState.NotChecked, gone.State);
    }

    [Fact]
    public void APluginBelowAnOfferedVersionFailsAndALowerOfferDoesNot()
    {
        var behind = One(Facts("4.1", null, new InstalledPlugin("global", "hyperflux", "v1.1.0", "x") { AvailableVersions = ["v1.2.0"] }), ReadinessCheckNames.PluginNotBehind, "primary/global/hyperflux");
        Assert.Equal(CheckState.Failed, behind.State);
        Assert.Contains("stayed at v1.1.0 although the platform offers v1.2.0", behind.Message, StringComparison.Ordinal);
        var held = One(Facts("4.2.1", null, new InstalledPlugin("global", "acp-base", "v4.2.0", "y") { AvailableVersions = ["v4.1.0"] }), ReadinessCheckNames.PluginNotBehind, "primary/global/acp-base");
        Assert.Equal(CheckState.Passed, held.State);
    }

    [Fact]
    public void FromFourThreeTheClusterVersionOperatorOwnsThePlugins()
    {
        Assert.DoesNotContain(PostUpgradeConditions.Judge(Facts("4.3.0", null)), r => r.Check is ReadinessCheckNames.PluginNotDowngraded or ReadinessCheckNames.PluginNotBehind);
    }
}
