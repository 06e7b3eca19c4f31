using System.Net;
using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Tests.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.ImageSync;

[Collection(SshdCollection.Name)]
public sealed class ImageSyncServiceTests(SshdFixture sshd)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SyncSucceedsAndIsRecordedInTheLedger(bool remote)
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var package = TestPaths.Package(folder);
        var target = remote ? sshd.Target() : RemoteTarget.Local;
        var request = new ImageSyncRequest { Target = target, Cluster = "standby", PackagePath = package + "/", RunRoot = Path.Combine(folder, "runs") };

        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Running, store.Get(run.Id).State);
        Assert.False(ImageSyncLedger.HasSucceeded("standby", package, store));

        var done = await ImageSyncService.FollowAsync(run, target, new FollowOptions(), store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Equal(0, done.ExitCode);
        Assert.Contains("image sync finished", done.LastLines[^1], StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "runs", run.Id, "log")), File.ReadAllBytes(done.LogPath!));
        Assert.Contains("version=v4.3.0", done.PackageIdentity, StringComparison.Ordinal);
        Assert.Equal(remote ? "Ssh" : "Local", done.Transport);

        Assert.True(ImageSyncLedger.HasSucceeded("standby", package, store));
        Assert.True(ImageSyncLedger.HasSucceeded("STANDBY", package + "/", store));
        Assert.False(ImageSyncLedger.HasSucceeded("primary", package, store));
        Assert.Equal(ImageSyncState.Succeeded, store.Get(run.Id).State);
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task NonZeroExitFailsWithTheLastLogLines()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var package = TestPaths.Package(folder, durationMs: 100, images: 30, exitCode: 7);
        var request = new ImageSyncRequest { Target = RemoteTarget.Local, Cluster = "global", PackagePath = package, RunRoot = Path.Combine(folder, "runs") };
        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ImageSyncService.FollowAsync(run, RemoteTarget.Local, new FollowOptions(), store, CancellationToken.None));
        Assert.Equal(ErrorIds.ImageSyncFailed, ex.ErrorId);
        Assert.Contains("exit code 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("push failed: unexpected status 500", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[20/30]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ImageSyncState.Failed, store.Get(run.Id).State);
        Assert.Equal(20, store.Get(run.Id).LastLines.Length);
        Assert.False(ImageSyncLedger.HasSucceeded("global", package, store));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task MissingUpgradeScriptIsRefusedBeforeAnythingStarts()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var request = new ImageSyncRequest { Target = sshd.Target(), Cluster = "global", PackagePath = folder, RunRoot = Path.Combine(folder, "runs") };
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ImageSyncService.StartAsync(request, store, CancellationToken.None));
        Assert.Equal(ErrorIds.UpgradeScriptNotFound, ex.ErrorId);
        Assert.False(Directory.Exists(Path.Combine(folder, "runs")));
        Assert.Empty(store.List());

        ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ImageSyncService.StartAsync(request with { PackagePath = "/no/such/folder" }, store, CancellationToken.None));
        Assert.Equal(ErrorIds.PackagePathNotFound, ex.ErrorId);
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task ExternalRegistryPasswordStaysOutOfEverythingWeWrite()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var package = TestPaths.Package(folder);
        // A stand-in that echoes its arguments, as a careless vendor script might.
        File.AppendAllText(Path.Combine(package, "upgrade.sh"), "");
        File.WriteAllText(Path.Combine(package, "upgrade.sh"), "echo \"args: $*\"\n[ \"$7\" = 'Pa$$-w0rd' ] && echo password-arrived\n");
        const string password = "Pa$$-w0rd";
        var request = new ImageSyncRequest
        {
            Target = sshd.Target(),
            Cluster = "global",
            PackagePath = package,
            Registry = "registry.example:5000",
            RegistryCredential = new NetworkCredential("pusher", password),
            RunRoot = Path.Combine(folder, "runs"),
        };
        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        var done = await ImageSyncService.FollowAsync(run, request.Target, new FollowOptions { Secrets = [password] }, store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Contains("password-arrived", done.LastLines);
        Assert.Contains("args: --only-sync-image --registry registry.example:5000 --username pusher --password ********", done.LastLines);
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "state"), "*", SearchOption.AllDirectories)
                     .Concat(Directory.GetFiles(Path.Combine(folder, "runs", run.Id))))
        {
            if (!file.EndsWith("/log", StringComparison.Ordinal))
            {
                Assert.DoesNotContain(password, File.ReadAllText(file), StringComparison.Ordinal);
            }
        }

        Directory.Delete(folder, true);
    }
}
