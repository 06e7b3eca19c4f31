using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Readiness;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

/// <summary>The administrator gate's taken-for-granted facts are -Assumption names, read where the gates are read and refused when unusable.</summary>
public sealed class AdminGateAssumptionsTests
{
    private const string Gate = "ack-4.4-kubernetes-1.35-kernel-update";

    private static ReadinessAssumptions Readiness(string name, string value) =>
        PlatformAssumptions.From(new Dictionary<string, string?> { [name] = value }).Readiness;

    private static AdminGate Read(string ack, ReadinessAssumptions? assumptions = null) =>
        Assert.Single(AdminGate.From(new Dictionary<string, string> { [Gate] = " verify the kernel " }, new Dictionary<string, string> { [Gate] = ack }, assumptions));

    [Fact]
    public void TheAcknowledgedValueDecidesWhatReadsAsAcknowledged()
    {
        Assert.True(Read("true").Acknowledged);
        Assert.False(Read("yes").Acknowledged);
        var yes = Readiness("adminGateAcknowledgedValue", "yes");
        Assert.True(Read("yes", yes).Acknowledged);
        Assert.False(Read("true", yes).Acknowledged);
    }

    [Fact]
    public void AGatesValueIsItsDescriptionUnlessToldOtherwise()
    {
        Assert.Equal("verify the kernel", Read("").Description);
        Assert.Null(Read("", Readiness("AdminGateValueIsDescription", "false")).Description);
    }

    [Fact]
    public void TheForcedAnnotationKeyIsThePrefixGivenFollowedByTheGate() =>
        Assert.Equal($"example.com/forced-{Gate}", Readiness("AdminGateForcedAnnotationPrefix", "example.com/forced-").AdminGateForcedAnnotation(Gate));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("90s", 90)]
    [InlineData("00:01:00", 60)]
    public void TheReevaluationTimeoutIsADuration(string value, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Readiness("AdminGateReevaluationTimeout", value).AdminGateReevaluationTimeout);

    [Theory]
    [InlineData("AdminGateForcedAnnotationPrefix", "")]
    [InlineData("AdminGateForcedAnnotationPrefix", "Example.com/forced.")]
    [InlineData("AdminGateForcedAnnotationPrefix", "example.com/-forced")]
    [InlineData("AdminGateForcedAnnotationPrefix", "a b")]
    [InlineData("AdminGateAcknowledgedValue", "  ")]
    [InlineData("AdminGateReevaluationTimeout", "soon")]
    [InlineData("AdminGateReevaluationTimeout", "-5s")]
    [InlineData("AdminGateValueIsDescription", "maybe")]
    [InlineData("AdminGateNoSuchFact", "x")]
    public void AnUnusableValueOrAnUnknownNameIsRefused(string name, string value)
    {
        var refused = Assert.Throws<GlobalUpgradeException>(() => Readiness(name, value));
        Assert.Equal((ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument), (refused.ErrorId, refused.Category));
    }

    [Fact]
    public void EveryAdminGateAssumptionIsAnAssumptionName()
    {
        foreach (var name in new[] { "AdminGateAcknowledgedValue", "AdminGateValueIsDescription", "AdminGateReevaluationTimeout", "AdminGateForcedAnnotationPrefix" })
        {
            Assert.Contains(name, PlatformAssumptions.Names);
        }
    }
}
