using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;
using Xunit;

namespace GlobalUpgrade.Tests.Upgrade;

/// <summary>The 4.3 request's version: the docs' spelling, and only a version the operator offers.</summary>
public sealed class OfferedTargetTests
{
    private static readonly ComponentUpgradeProfile ShadowProfile = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.3"));

    [Theory]
    [InlineData("v4.3.0", "4.3.0")]
    [InlineData("4.3.0", "4.3.0")]
    [InlineData(" V4.3.1 ", "4.3.1")]
    [InlineData("v4.3.1-hotfix.2", "4.3.1-hotfix.2")]
    public void TheRequestIsWrittenWithoutV(string input, string written) => Assert.Equal(written, OfferedTarget.Spell(input));

    [Theory]
    [InlineData("v4.3.0", "4.3.0")]
    [InlineData("4.3.0", "4.3.0")]
    [InlineData("4.3", "4.3.0")]
    [InlineData("v4.3", "4.3.0")]
    public void AnOfferedTargetResolvesToTheOfferedSpelling(string input, string written) =>
        Assert.Equal(written, OfferedTarget.Resolve(input, ["4.3.0"], "global", ""));

    [Fact]
    public void AnOfferWrittenWithVIsStillRequestedWithout() =>
        Assert.Equal("4.3.1", OfferedTarget.Resolve("4.3.1", ["v4.3.1"], "global", ""));

    [Fact]
    public void ATargetNotOfferedIsRefusedWithTheOfferedVersions()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => OfferedTarget.Resolve("v4.3.2", ["4.3.0", "4.3.1"], "standby", "Nothing was changed."));
        Assert.Equal(ErrorIds.TargetVersionNotOffered, ex.ErrorId);
        Assert.Contains("4.3.0, 4.3.1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("standby", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was changed.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingOfferedIsSaid()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => OfferedTarget.Resolve("4.3.0", [], "global", ""));
        Assert.Equal(ErrorIds.TargetVersionNotOffered, ex.ErrorId);
        Assert.Contains("lists nothing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALineMatchingSeveralOffersIsAmbiguous()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => OfferedTarget.Resolve("4.3", ["4.3.1", "4.3.2", "4.4.0"], "global", ""));
        Assert.Equal(ErrorIds.TargetVersionAmbiguous, ex.ErrorId);
        Assert.Contains("4.3.1, 4.3.2", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4.4.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALineWithoutAnOfferOfItIsNotOffered() =>
        Assert.Equal(ErrorIds.TargetVersionNotOffered, Assert.Throws<GlobalUpgradeException>(() => OfferedTarget.Resolve("4.3", ["4.4.0"], "global", "")).ErrorId);

    private static ComponentState Shadow(string current, string desired, params string[] offered) => ComponentState.Read(new JsonObject
    {
        ["metadata"] = new JsonObject { ["name"] = "global", ["namespace"] = "cpaas-system" },
        ["spec"] = new JsonObject { ["desiredUpdate"] = new JsonObject { ["version"] = desired } },
        ["status"] = new JsonObject
        {
            ["current"] = new JsonObject { ["version"] = current },
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            ["availableUpdates"] = new JsonArray([.. offered.Select(o => (JsonNode)new JsonObject { ["version"] = o })]),
        },
    }, ShadowProfile);

    [Fact]
    public void BeforeAnyChangeAShadowThatDoesNotOfferTheTargetRefusesIt()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => OfferedTarget.RefuseUnoffered(Shadow("4.3.0", "4.3.0", "4.3.1"), "v4.3.2", "global"));
        Assert.Equal(ErrorIds.TargetVersionNotOffered, ex.ErrorId);
        Assert.Contains("4.3.1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BeforeAnyChangeNoShadowYetOrARequestAlreadyMadeIsNotRefused()
    {
        // Before the first 4.3 upgrade the operator is not deployed yet: nothing to check until the request.
        OfferedTarget.RefuseUnoffered(ComponentState.Read(null, ShadowProfile), "v4.3.0", "global");
        // Asked for already (the list no longer needs to name it), or already there.
        OfferedTarget.RefuseUnoffered(Shadow("4.2.0", "4.3.0"), "v4.3.0", "global");
        OfferedTarget.RefuseUnoffered(Shadow("4.3.0", "4.3.0"), "v4.3.0", "global");
        OfferedTarget.RefuseUnoffered(Shadow("4.3.0", "4.3.0", "4.3.1"), "v4.3.1", "global");
    }

    [Fact]
    public void StartGlobalUpgradeRefusesAnUnofferedTargetBeforeTheTrigger()
    {
        var facts = new UpgradeFacts
        {
            Cluster = "global",
            IsGlobal = true,
            PlatformVersion = "v4.3.0",
            TargetVersion = "v4.3.2",
            Components = Shadow("4.3.0", "4.3.0", "4.3.1"),
            ImageSyncSucceeded = true,
            PackagePath = "/root/pkg",
        };
        Assert.Equal(ErrorIds.TargetVersionNotOffered, Assert.Throws<GlobalUpgradeException>(() => UpgradePreconditions.Decide(facts, UpgradeStage.All, force: true)).ErrorId);
        Assert.True(UpgradePreconditions.Decide(facts with { TargetVersion = "v4.3.1" }, UpgradeStage.All, force: false).RunTrigger);
    }
}
