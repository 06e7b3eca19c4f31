using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Tests.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Platform;

/// <summary>upgrade.sh --skip-check-artifacts is documented from 4.3 only: passed to such packages, refused before anything runs otherwise.</summary>
public sealed class UpgradeScriptFlagsTests
{
    [Theory]
    [InlineData("3.18.1", false)]
    [InlineData("4.0.0", false)]
    [InlineData("4.2.3", false)]
    [InlineData("4.3.0", true)]
    [InlineData("4.3.1", true)]
    [InlineData("4.4.0", true)]
    public void SkipCheckArtifactsFromFourThree(string version, bool has) =>
        Assert.Equal(has, UpgradeScriptFlags.Has(PlatformVersion.Parse(version), UpgradeScriptFlags.SkipCheckArtifacts));

    [Theory]
    [InlineData("v4.2.0")]
    [InlineData("banana")]
    public void AnOlderOrUnreadableTargetIsRefused(string target)
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => UpgradeScriptFlags.Require(target, UpgradeScriptFlags.SkipCheckArtifacts, "-SkipCheckArtifacts"));
        Assert.Equal(ErrorIds.UpgradeScriptFlagUnsupported, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidArgument, ex.Category);
        Assert.Contains(target, ex.Message, StringComparison.Ordinal);
        Assert.Contains("--skip-check-artifacts", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v4.3.0", true)]
    [InlineData("v4.2.0", false)]
    public async Task ThePackageOnTheNodeDecides(string packageVersion, bool accepted)
    {
        var folder = TestPaths.NewTempFolder();
        File.WriteAllText(Path.Combine(folder, "upgrade.sh"), "exit 0\n");
        File.WriteAllText(Path.Combine(folder, "version"), packageVersion + "\n");
        var refused = 0;
        using var host = await RemoteHost.OpenAsync(RemoteTarget.Local, CancellationToken.None);
        var check = UpgradeScriptFlags.RequireAsync(host, folder, UpgradeScriptFlags.SkipCheckArtifacts, "-SkipCheckArtifacts", () => refused++, CancellationToken.None);
        if (accepted)
        {
            await check;
            Assert.Equal(0, refused);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => check);
            Assert.Equal(ErrorIds.UpgradeScriptFlagUnsupported, ex.ErrorId);
            Assert.Contains(packageVersion, ex.Message, StringComparison.Ordinal);
            Assert.Equal(1, refused);
        }

        Directory.Delete(folder, true);
    }

    [Fact]
    public void TheImageSyncFlagIsSpelledAsThePackagesLineDocumentsIt()
    {
        foreach (var line in PlatformLine.All)
        {
            Assert.Equal(line.ImageSyncFlag, UpgradeScriptFlags.ImageSyncOf(line.First.Text));
        }

        Assert.NotEqual(PlatformLine.V42.ImageSyncFlag, PlatformLine.V430.ImageSyncFlag);
        Assert.Equal(PlatformLine.V42.ImageSyncFlag, UpgradeScriptFlags.ImageSyncOf(null));
    }
}
