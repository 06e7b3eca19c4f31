using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

/// <summary>One login per node for a command: counted as the real sshd's per-connection processes.</summary>
[Collection(SshdCollection.Name)]
public sealed class RemoteSessionsTests(SshdFixture sshd)
{
    [Fact]
    public async Task StartingAndFollowingARunShareOneLogin()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var request = new ImageSyncRequest { Target = sshd.Target(), Cluster = "global", PackagePath = TestPaths.Package(folder), RunRoot = Path.Combine(folder, "runs") };
        await Eventually.TrueAsync(() => sshd.SessionProcessIds().Count == 0, "the sshd's sessions to close");

        using (var sessions = new RemoteSessions())
        {
            var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None, sessions);
            var login = Assert.Single(sshd.SessionProcessIds());
            var done = await ImageSyncService.FollowAsync(run, ImageSyncService.TargetOf(run), new FollowOptions(), store, CancellationToken.None, sessions);
            Assert.Equal(ImageSyncState.Succeeded, done.State);
            Assert.Equal(login, Assert.Single(sshd.SessionProcessIds()));
            Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "runs", run.Id, "log")), File.ReadAllBytes(done.LogPath!));
        }

        // Closed with the command, not left behind.
        await Eventually.TrueAsync(() => sshd.SessionProcessIds().Count == 0, "the sshd's sessions to close");
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task ALeaseLeavesTheConnectionOpenAndADroppedOneIsOpenedAgain()
    {
        await Eventually.TrueAsync(() => sshd.SessionProcessIds().Count == 0, "the sshd's sessions to close");
        using var sessions = new RemoteSessions();
        using (var first = await sessions.OpenAsync(sshd.Target(), CancellationToken.None))
        {
            Assert.Equal("1\n", (await first.RunAsync("echo 1", CancellationToken.None)).Output);
        }

        var login = Assert.Single(sshd.SessionProcessIds());
        using var second = await sessions.OpenAsync(sshd.Target(), CancellationToken.None);
        Assert.Equal("2\n", (await second.RunAsync("echo 2", CancellationToken.None)).Output);
        Assert.Equal(login, Assert.Single(sshd.SessionProcessIds()));

        // The node drops the connection (a restarted sshd, a network cut): the next caller gets a new login.
        System.Diagnostics.Process.GetProcessById(login).Kill();
        await Eventually.TrueAsync(() => !second.IsConnected, "the dropped connection to read as closed");
        using var third = await sessions.OpenAsync(sshd.Target(), CancellationToken.None);
        Assert.Equal("3\n", (await third.RunAsync("echo 3", CancellationToken.None)).Output);
        Assert.NotEqual(login, Assert.Single(sshd.SessionProcessIds()));
    }

    [Fact]
    public async Task ThisMachineNeedsNoConnection()
    {
        using var sessions = new RemoteSessions();
        using var host = await sessions.OpenAsync(RemoteTarget.Local, CancellationToken.None);
        Assert.True(host.IsConnected);
        Assert.Equal("here\n", (await host.RunAsync("echo here", CancellationToken.None)).Output);
        sessions.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sessions.OpenAsync(RemoteTarget.Local, CancellationToken.None));
    }
}
