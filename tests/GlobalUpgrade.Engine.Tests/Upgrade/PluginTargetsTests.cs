using System.Text.Json.Nodes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Upgrade;
using Xunit;

namespace GlobalUpgrade.Tests.Upgrade;

/// <summary>The cluster plugins' targets of a ClusterModule request: the highest offered above, never a lower one.</summary>
public sealed class PluginTargetsTests
{
    private static ModuleInfo Plugin(string module, string version, params string[] offered) => ModuleInfo.From(new JsonObject
    {
        ["metadata"] = new JsonObject { ["name"] = $"global-{module}", ["labels"] = new JsonObject { [AcpLabels.ModuleName] = module, [AcpLabels.ClusterName] = "global" } },
        ["spec"] = new JsonObject { ["version"] = version },
        ["status"] = new JsonObject { ["version"] = version, ["availableVersions"] = new JsonArray(offered.Select(v => (JsonNode)new JsonObject { ["version"] = v }).ToArray()) },
    });

    [Fact]
    public void TheHighestHigherOfferIsTheTargetAndALowerOneIsHeld()
    {
        var targets = PluginTargets.Choose([Plugin("velero", "v1.2.0", "v1.2.5", "v1.3.0"), Plugin("acp-base", "v4.2.0", "v4.1.0"), Plugin("gitops", "v4.1.0")]);
        Assert.Equal(["acp-base", "gitops", "velero"], targets.Select(t => t.Module));
        Assert.Null(targets[0].Target);
        Assert.Contains("lower v4.1.0", targets[0].Why, StringComparison.Ordinal);
        Assert.Null(targets[1].Target);
        Assert.Equal("v1.3.0", targets[2].Target);
        Assert.Equal("""[{"name":"velero","version":"v1.3.0"}]""", PluginTargets.ToModulesInfos(targets).ToJsonString());
    }

    [Fact]
    public void NoPluginOfferedMeansAnExplicitlyEmptyList()
    {
        Assert.Equal("[]", PluginTargets.ToModulesInfos(PluginTargets.Choose([Plugin("gitops", "v4.1.0")])).ToJsonString());
    }

    [Fact]
    public void TheKnownIssuePathIsFourTwoZeroToFourTwoOne()
    {
        Assert.True(ComponentUpgradeProfile.ShowsLowerPluginTargets(PlatformVersion.Parse("v4.2.0"), PlatformVersion.Parse("v4.2.1")));
        Assert.False(ComponentUpgradeProfile.ShowsLowerPluginTargets(PlatformVersion.Parse("v4.2.1"), PlatformVersion.Parse("v4.2.2")));
        Assert.False(ComponentUpgradeProfile.ShowsLowerPluginTargets(PlatformVersion.Parse("v4.1.0"), PlatformVersion.Parse("v4.2.1")));
    }
}
