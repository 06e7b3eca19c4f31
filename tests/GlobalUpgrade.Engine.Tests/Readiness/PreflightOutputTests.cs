using GlobalUpgrade.Errors;
using GlobalUpgrade.Readiness;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

public sealed class PreflightOutputTests
{
    private const string Output = "2026-11-30 10:00:00 INFO preflight for v4.3.0\nSummary\n  Result: Failed\n  Current Version: v4.2.0\n  Desired Version: v4.3.0\n  Desired Image: r/acp/product-image:v4.3.0\r\nChecks\nNAME\tPOLICY\tSTATE\tREASON\tMESSAGE\n"
        + "ResourcePatchUpgradeable\tOnce\tFailed\tUnexemptResourcePatches\trp-a is not exempt\nClusterRunning\tOnce\tPassed\t\t\n\n";

    [Fact]
    public void ReadsTheSummaryAndTheCheckRows()
    {
        var parsed = PreflightOutput.Parse(Output, "node-1");
        Assert.Equal("Failed", parsed.Result);
        Assert.Equal("v4.3.0", parsed.Summary["Desired Version"]);
        Assert.Equal("r/acp/product-image:v4.3.0", parsed.Summary["desired image"]);
        Assert.Equal(2, parsed.Checks.Count);
        Assert.Equal(new PreflightEntry("ResourcePatchUpgradeable", "Once", "Failed", "UnexemptResourcePatches", "rp-a is not exempt"), parsed.Checks[0]);
        Assert.Equal(new PreflightEntry("ClusterRunning", "Once", "Passed", null, null), parsed.Checks[1]);
    }

    [Theory]
    [InlineData("all good\n")]
    [InlineData("Summary\n  Result: Passed\nChecks\nClusterRunning Passed\n")]
    [InlineData("Summary\n  no colon here\nChecks\n")]
    public void AnythingElseIsUnreadableNeverPassed(string text) =>
        Assert.Equal(ErrorIds.PreflightOutputUnreadable, Assert.Throws<GlobalUpgradeException>(() => PreflightOutput.Parse(text, "node-1")).ErrorId);

    [Theory]
    [InlineData("path=/cpaas\n/dev/sdb1 524288000 1048576 523239424 1% /cpaas\n", 499.0, "/cpaas")]
    [InlineData("path=/\nFilesystem 1024-blocks Used Available Capacity Mounted on\noverlay 100 50 50 50% /\n", 0.0, "/")]
    public void ReadsDf(string output, double freeGb, string path)
    {
        var space = MinioSpaceProbe.Parse("n1", output);
        Assert.Equal(path, space.MeasuredPath);
        Assert.Equal(freeGb, Math.Floor(space.FreeGB!.Value));
    }

    [Fact]
    public void UnreadableDfIsNotAMeasurement() => Assert.Null(MinioSpaceProbe.Parse("n1", "path=/x\ndf: /x: No such file\n").FreeGB);
}
