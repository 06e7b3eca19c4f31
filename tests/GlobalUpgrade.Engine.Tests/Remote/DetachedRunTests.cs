using System.Globalization;
using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

[Collection(SshdCollection.Name)]
public sealed class DetachedRunTests(SshdFixture sshd)
{
    private RemoteTarget Target(bool remote) => remote ? sshd.Target() : RemoteTarget.Local;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunsDetachedWithSecretsOutOfTheRunFolder(bool remote)
    {
        var root = TestPaths.NewTempFolder();
        const string secret = "s3cr3t-'quote\"-$HOME";
        using var host = await RemoteHost.OpenAsync(Target(remote), CancellationToken.None);
        var id = DetachedRun.NewId();
        await DetachedRun.StartAsync(host, root, id, "/tmp", "echo start; [ \"$GU_PW\" = " + RemoteHost.Quote(secret) + " ] && echo secret-ok; pwd; exit 5",
            new Dictionary<string, string> { ["GU_PW"] = secret }, CancellationToken.None);

        var dir = Path.Combine(root, id);
        Assert.False(File.Exists(Path.Combine(dir, "secrets")), "the secrets file is deleted once the wrapper started");
        using var sink = new LogSink(null);
        await DetachedRun.FollowAsync(host, root, id, 0, sink, CancellationToken.None);
        var status = await DetachedRun.GetStatusAsync(host, root, id, CancellationToken.None);
        Assert.Equal(new DetachedStatus(DetachedState.Exited, 5, sink.Received), status);
        Assert.Equal(["start", "secret-ok", "/tmp"], sink.LastLines(10));
        foreach (var file in Directory.GetFiles(dir))
        {
            Assert.DoesNotContain(secret, File.ReadAllText(file), StringComparison.Ordinal);
        }

        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        }
        Directory.Delete(root, true);
    }

    [Fact]
    public async Task SurvivesAKilledSshSessionAndResumesFromTheOffset()
    {
        var root = TestPaths.NewTempFolder();
        var id = DetachedRun.NewId();
        using (var starter = await RemoteHost.OpenAsync(sshd.Target(), CancellationToken.None))
        {
            // Ten lines, then it waits for the test's go-ahead (so the run is surely still going when the session dies).
            await DetachedRun.StartAsync(starter, root, id, "/tmp",
                $"for i in $(seq 1 30); do echo \"[$i/30] line $i\"; [ $i -eq 10 ] && while [ ! -f {RemoteHost.Quote(Path.Combine(root, "go"))} ]; do sleep 0.05; done; done; true",
                new Dictionary<string, string>(), CancellationToken.None);
        }

        var local = Path.Combine(root, "copy.log");
        long offset;
        using (var sink = new LogSink(local))
        {
            using var host = await RemoteHost.OpenAsync(sshd.Target(), CancellationToken.None);
            var follow = DetachedRun.FollowAsync(host, root, id, 0, sink, CancellationToken.None);
            await Eventually.TrueAsync(() => sink.Received > 0, "the first bytes of the log");
            foreach (var pid in sshd.SessionProcessIds())
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }

            var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => follow);
            Assert.Equal(ErrorIds.RemoteSessionLost, ex.ErrorId);
            sink.Complete();
            offset = sink.Received;
        }

        using (var sink = new LogSink(local))
        {
            using var host = await RemoteHost.OpenAsync(sshd.Target(), CancellationToken.None);
            Assert.Equal(DetachedState.Running, (await DetachedRun.GetStatusAsync(host, root, id, CancellationToken.None)).State);
            File.WriteAllText(Path.Combine(root, "go"), "");
            await DetachedRun.FollowAsync(host, root, id, offset, sink, CancellationToken.None);
            Assert.Equal(new DetachedStatus(DetachedState.Exited, 0, offset + sink.Received), await DetachedRun.GetStatusAsync(host, root, id, CancellationToken.None));
        }

        // The local copy is the node's log exactly: nothing lost, nothing read twice.
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, id, "log")), File.ReadAllBytes(local));
        Assert.Equal(30, File.ReadAllLines(local).Length);
        Directory.Delete(root, true);
    }

    [Fact]
    public async Task CancellingTheFollowLeavesTheRunGoing()
    {
        var root = TestPaths.NewTempFolder();
        var id = DetachedRun.NewId();
        using var host = await RemoteHost.OpenAsync(RemoteTarget.Local, CancellationToken.None);
        var go = Path.Combine(root, "go");
        await DetachedRun.StartAsync(host, root, id, "/tmp", $"while [ ! -f {RemoteHost.Quote(go)} ]; do sleep 0.05; done; echo done", new Dictionary<string, string>(), CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DetachedRun.FollowAsync(host, root, id, 0, Stream.Null, cts.Token));
        Assert.Equal(DetachedState.Running, (await DetachedRun.GetStatusAsync(host, root, id, CancellationToken.None)).State);
        File.WriteAllText(go, "");
        using var sink = new LogSink(null);
        await DetachedRun.FollowAsync(host, root, id, 0, sink, CancellationToken.None);
        Assert.Equal(["done"], sink.LastLines(5));
        Directory.Delete(root, true);
    }

    [Fact]
    public async Task AKilledRunIsLost()
    {
        var root = TestPaths.NewTempFolder();
        var id = DetachedRun.NewId();
        using var host = await RemoteHost.OpenAsync(RemoteTarget.Local, CancellationToken.None);
        await DetachedRun.StartAsync(host, root, id, "/tmp", "sleep 30", new Dictionary<string, string>(), CancellationToken.None);
        var wrapper = int.Parse(File.ReadAllText(Path.Combine(root, id, "pid")).Trim(), CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(root, id, "cpid")), "the command's pid file");
        var child = int.Parse(File.ReadAllText(Path.Combine(root, id, "cpid")).Trim(), CultureInfo.InvariantCulture);
        System.Diagnostics.Process.GetProcessById(wrapper).Kill();
        System.Diagnostics.Process.GetProcessById(child).Kill(entireProcessTree: true);
        await Eventually.TrueAsync(async () => (await DetachedRun.GetStatusAsync(host, root, id, CancellationToken.None)).State == DetachedState.Lost, "the killed run to read as Lost");
        Assert.Equal(DetachedState.Missing, (await DetachedRun.GetStatusAsync(host, root, "no-such-run", CancellationToken.None)).State);
        Directory.Delete(root, true);
    }

    [Fact]
    public void LogSinkMasksSecretsSplitAcrossWritesAndKeepsOnlyTheTail()
    {
        var folder = TestPaths.NewTempFolder();
        var path = Path.Combine(folder, "log");
        using (var sink = new LogSink(path, ["topsecret"]))
        {
            var text = Encoding.UTF8.GetBytes("line --password topsecret end\nnext topsecret\n");
            for (var i = 0; i < text.Length; i += 3)
            {
                sink.Write(text, i, Math.Min(3, text.Length - i));
            }

            for (var i = 0; i < 20000; i++)
            {
                sink.Write(Encoding.UTF8.GetBytes($"[{i}/20000] filler\n"));
            }

            sink.Complete();
            Assert.Equal("[19999/20000] filler", sink.LastLines(1)[0]);
            Assert.Equal(20, sink.LastLines(20).Length);
        }

        var saved = File.ReadAllText(path);
        Assert.DoesNotContain("topsecret", saved, StringComparison.Ordinal);
        Assert.StartsWith("line --password ******** end\nnext ********\n", saved, StringComparison.Ordinal);
        Directory.Delete(folder, true);
    }
}
