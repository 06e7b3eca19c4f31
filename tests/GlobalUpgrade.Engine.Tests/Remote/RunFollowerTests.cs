using System.Collections.Concurrent;
using System.Net;
using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Upgrade;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

/// <summary>The one follower of detached runs, for both kinds (image sync, upgrade trigger), attached and re-attached.</summary>
[Collection(SshdCollection.Name)]
public sealed class RunFollowerTests(SshdFixture sshd)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImageSyncKindReportsTheCountAsPercentAndTheStatus(bool remote)
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var target = remote ? sshd.Target() : RemoteTarget.Local;
        var package = TestPaths.Package(folder);
        // Half the images, then it waits until the follower reported 50 %.
        File.WriteAllText(Path.Combine(package, "upgrade.sh"),
            "for i in 1 2; do echo \"[$i/4] image $i\"; done; while [ ! -f go ]; do sleep 0.05; done; for i in 3 4; do echo \"[$i/4] image $i\"; done; echo 'image sync finished'\n");
        var request = new ImageSyncRequest { Target = target, Cluster = "global", PackagePath = package, RunRoot = Path.Combine(folder, "runs") };
        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);

        var log = new ProgressLog(p =>
        {
            if (p.PercentComplete == 50)
            {
                File.WriteAllText(Path.Combine(package, "go"), "");
            }
        });
        DetachedStatus status;
        using (OperationLog.Use(log))
        {
            status = await RunFollower.FollowAsync(run, target, new RunFollower.Options
            {
                Activity = "sync",
                ActivityBase = 0x5100,
                RunFolder = run.RunFolder,
                DefaultLogPath = store.DefaultLogPath(run.Id),
                Progress = new ImageSyncProgress(ImageSyncProgress.DefaultPattern),
                ProgressInterval = TimeSpan.FromMilliseconds(20),
            }, saved => store.Save((ImageSyncRun)saved), CancellationToken.None);
        }

        Assert.Equal(new DetachedStatus(DetachedState.Exited, 0, new FileInfo(Path.Combine(folder, "runs", run.Id, "log")).Length), status);
        Assert.Equal(status.LogLength, store.Get(run.Id).LogOffset);
        Assert.Contains("image sync finished", store.Get(run.Id).LastLines[^1], StringComparison.Ordinal);
        Assert.Contains(log.Reports, p => p.PercentComplete == 50 && p.Status == "[2/4] image 2" && p.CurrentOperation == $"run {run.Id}");
        Assert.True(log.Reports.Last().Completed);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void ProgressParsersReadTheNewestCount()
    {
        var parser = new ImageSyncProgress(ImageSyncProgress.DefaultPattern);
        Assert.Equal(50, parser.PercentComplete(["[1/4] a", "[2/4] b", "no count here"]));
        Assert.Equal(-1, parser.PercentComplete(["no count", "still none"]));
        Assert.Equal(-1, parser.PercentComplete(["[3/0] zero total"]));
        Assert.Equal(10, new ImageSyncProgress(@"done (\d+) of (\d+)").PercentComplete(["done 1 of 10"]));
        Assert.Equal(ErrorIds.ProgressPatternInvalid, Assert.Throws<GlobalUpgradeException>(() => new ImageSyncProgress(@"\d+/\d+")).ErrorId);
        Assert.Equal(ErrorIds.ProgressPatternInvalid, Assert.Throws<GlobalUpgradeException>(() => new ImageSyncProgress("([0-9]")).ErrorId);
    }

    [Fact]
    public async Task UpgradeKindFollowsTheTriggerToItsEnd()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new UpgradeRunStore(Path.Combine(folder, "state"));
        var run = TriggerRun(folder, store, UpgradeRunState.Starting);

        var done = await UpgradeService.ContinueAsync(run, new UpgradeWaitOptions { Target = RemoteTarget.Local }, store, CancellationToken.None);

        Assert.Equal(UpgradeRunState.Succeeded, done.State);
        Assert.True(done.TriggerDone);
        Assert.Equal(0, done.TriggerExitCode);
        Assert.Contains(done.LastLines, l => l.Contains("upgrade triggered: v4.3.0", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "runs", run.TriggerRunId!, "log")), File.ReadAllBytes(done.LogPath!));
        Assert.Equal(UpgradeRunState.Succeeded, store.Get(run.Id).State);
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task ReAttachingGoesOnFromTheOffsetAndKeepsTheLastLines()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var package = TestPaths.Package(folder);
        var go = Path.Combine(folder, "go");
        // Twenty-five lines, then it waits for the test's go-ahead, then five more.
        File.WriteAllText(Path.Combine(package, "upgrade.sh"),
            $"for i in $(seq 1 25); do echo \"[$i/30] line $i\"; done; while [ ! -f {RemoteHost.Quote(go)} ]; do sleep 0.05; done; for i in $(seq 26 30); do echo \"[$i/30] line $i\"; done\n");
        var request = new ImageSyncRequest { Target = sshd.Target(), Cluster = "global", PackagePath = package, RunRoot = Path.Combine(folder, "runs") };
        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);

        // The first follow is stopped (Ctrl+C) once 25 lines arrived: the run goes on, the record keeps how far the copy got.
        using (var stop = new CancellationTokenSource())
        {
            var localLog = store.DefaultLogPath(run.Id);
            var watcher = Task.Run(async () =>
            {
                try
                {
                    await Eventually.TrueAsync(() => File.Exists(localLog) && File.ReadAllText(localLog).Contains("line 25\n", StringComparison.Ordinal), "25 lines in the local copy", TimeSpan.FromSeconds(60));
                }
                finally
                {
                    await stop.CancelAsync();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImageSyncService.FollowAsync(run, request.Target, new FollowOptions(), store, stop.Token));
            await watcher;
        }

        var recorded = store.Get(run.Id);
        Assert.Equal(ImageSyncState.Running, recorded.State);
        Assert.Equal(new FileInfo(store.DefaultLogPath(run.Id)).Length, recorded.LogOffset);
        Assert.Equal("[25/30] line 25", recorded.LastLines[^1]);

        // A timeout stops the following only, with its own id; the run cannot end before the go-ahead.
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ImageSyncService.FollowAsync(recorded, request.Target, new FollowOptions { Timeout = TimeSpan.FromMilliseconds(300) }, store, CancellationToken.None));
        Assert.Equal(ErrorIds.ImageSyncTimeout, ex.ErrorId);
        recorded = store.Get(run.Id);
        Assert.Equal(ImageSyncState.Running, recorded.State);

        // Re-attached from the record (as Wait-GlobalImageSync does): nothing lost, nothing read twice.
        File.WriteAllText(go, "");
        var done = await ImageSyncService.FollowAsync(recorded, ImageSyncService.TargetOf(recorded), new FollowOptions(), store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "runs", run.Id, "log")), File.ReadAllBytes(done.LogPath!));
        Assert.Equal(30, File.ReadAllLines(done.LogPath!).Length);
        Assert.Equal(Enumerable.Range(11, 20).Select(i => $"[{i}/30] line {i}"), done.LastLines);
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task FollowingByTheTailOverSshCopiesNothingReAttachesAndShowsTheLastLines()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var package = TestPaths.Package(folder);
        var go = Path.Combine(folder, "go");
        // Twenty-five lines, then it waits for the test's go-ahead, then five more and a failure.
        File.WriteAllText(Path.Combine(package, "upgrade.sh"),
            $"for i in $(seq 1 25); do echo \"[$i/30] line $i\"; done; while [ ! -f {RemoteHost.Quote(go)} ]; do sleep 0.05; done; for i in $(seq 26 30); do echo \"[$i/30] line $i\"; done; exit 3\n");
        var request = new ImageSyncRequest { Target = sshd.Target(), Cluster = "global", PackagePath = package, RunRoot = Path.Combine(folder, "runs"), CopyLog = false };
        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        var nodeLog = Path.Combine(folder, "runs", run.Id, "log");
        Assert.Equal(nodeLog, run.LogPath);

        // Attached until the progress shows line 25 (then Ctrl+C): the record keeps how far the log was seen.
        var options = new FollowOptions { ProgressInterval = TimeSpan.FromMilliseconds(20) };
        using (var stop = new CancellationTokenSource())
        {
            var log = new ProgressLog(p =>
            {
                if (p.Status == "[25/30] line 25" && p.PercentComplete == 83)
                {
                    stop.Cancel();
                }
            });
            using (OperationLog.Use(log))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImageSyncService.FollowAsync(run, request.Target, options, store, stop.Token));
            }
        }

        var recorded = store.Get(run.Id);
        Assert.Equal((ImageSyncState.Running, new FileInfo(nodeLog).Length), (recorded.State, recorded.LogOffset));
        Assert.Equal(Enumerable.Range(6, 20).Select(i => $"[{i}/30] line {i}"), recorded.LastLines);

        // Re-attached from the record (as Wait-GlobalImageSync does): the failure shows the last lines, none twice.
        File.WriteAllText(go, "");
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ImageSyncService.FollowAsync(recorded, ImageSyncService.TargetOf(recorded), options, store, CancellationToken.None));
        Assert.Equal(ErrorIds.ImageSyncFailed, ex.ErrorId);
        Assert.Contains($"Full log: {nodeLog} on 127.0.0.1", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("[30/30] line 30", ex.Message, StringComparison.Ordinal);
        var done = store.Get(run.Id);
        Assert.Equal((ImageSyncState.Failed, 3, new FileInfo(nodeLog).Length), (done.State, done.ExitCode, done.LogOffset));
        Assert.Equal(Enumerable.Range(11, 20).Select(i => $"[{i}/30] line {i}"), done.LastLines);
        // Nothing was copied here: the only log is the node's.
        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "state"), "*.log", SearchOption.AllDirectories));
        Directory.Delete(folder, true);
    }

    [Theory]
    [InlineData("Pa$$-w0rd-long", "args: --only-sync-image --registry registry.example:5000 --username pusher --password ********")]
    [InlineData("pw1", "args: --only-sync-image --registry registry.example:5000 --username pusher --password ********")]
    public async Task SecretsAreMaskedTheSameWhenReAttachedWithoutThem(string password, string maskedArgs)
    {
        var folder = TestPaths.NewTempFolder();
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var package = TestPaths.Package(folder);
        // A careless vendor script that echoes its arguments, and a word that holds the (short) password inside it.
        File.WriteAllText(Path.Combine(package, "upgrade.sh"), "echo \"args: $*\"\necho \"word xpw1x stays\"\nwhile [ ! -f go ]; do sleep 0.05; done\necho done\n");
        var request = new ImageSyncRequest
        {
            Target = sshd.Target(),
            Cluster = "global",
            PackagePath = package,
            Registry = "registry.example:5000",
            RegistryCredential = new NetworkCredential("pusher", password),
            RunRoot = Path.Combine(folder, "runs"),
        };

        // -Detach, then Wait-GlobalImageSync in another session: the follower knows no secret.
        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        File.WriteAllText(Path.Combine(package, "go"), "");
        var done = await ImageSyncService.FollowAsync(store.Get(run.Id), ImageSyncService.TargetOf(run), new FollowOptions(), store, CancellationToken.None);

        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Contains(maskedArgs, done.LastLines);
        Assert.Contains("word xpw1x stays", done.LastLines);
        // Masked on the node: its log, the local copy and the record all read the same, with no password in them.
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "runs", run.Id, "log")), File.ReadAllBytes(done.LogPath!));
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(package, StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("--password " + password, text, StringComparison.Ordinal);
            if (password.Length >= LogSink.ShortSecretLength)
            {
                Assert.DoesNotContain(password, text, StringComparison.Ordinal);
            }
        }

        Directory.Delete(folder, true);
    }

    [Fact]
    public void LogSinkMasksAShortSecretOnlyWhereItStandsAlone()
    {
        using var sink = new LogSink(null, ["pw1"]);
        var text = System.Text.Encoding.UTF8.GetBytes("--password pw1\nxpw1x and pw1, 'pw1'\n");
        sink.Write(text, 0, text.Length);
        sink.Complete();
        Assert.Equal(["--password ********", "xpw1x and ********, '********'"], sink.LastLines(5));
    }

    [Fact]
    public void RecordsWrittenBeforeTheSharedRecordModelStillRead()
    {
        var folder = TestPaths.NewTempFolder();
        var images = new ImageSyncStore(folder);
        var upgrades = new UpgradeRunStore(folder);
        Directory.CreateDirectory(images.RunsFolder);
        Directory.CreateDirectory(upgrades.RunsFolder);
        // Exactly as the module wrote them before RecordedRun existed (flat fields, enums as strings).
        File.WriteAllText(Path.Combine(images.RunsFolder, "20250101-101010-abcdef.json"), """
            {
              "Id": "20250101-101010-abcdef",
              "Cluster": "standby",
              "ComputerName": "node1",
              "Transport": "Ssh",
              "Port": 2222,
              "UserName": "root",
              "PackagePath": "/root/pkg",
              "PackageIdentity": "version=v4.3.0 package=pkg upgrade.sh-sha256=00",
              "Registry": null,
              "State": "Succeeded",
              "ExitCode": 0,
              "StartedAt": "2025-01-01T10:10:10+00:00",
              "FinishedAt": "2025-01-01T12:10:10+00:00",
              "LogPath": "/tmp/x.log",
              "RunFolder": "/var/lib/globalupgrade/runs/20250101-101010-abcdef",
              "LogOffset": 1234,
              "LastLines": [ "a", "b" ],
              "KeyFilePath": "/root/.ssh/id_ed25519",
              "KnownHostsPath": null,
              "HostKeyFingerprint": "SHA256:abc",
              "Duration": "02:00:00"
            }
            """);
        File.WriteAllText(Path.Combine(upgrades.RunsFolder, "20250102-101010-abcdef.json"), """
            {
              "Id": "20250102-101010-abcdef",
              "Cluster": "global",
              "FromVersion": "v4.2.0",
              "ToVersion": "v4.3.0",
              "RequestedStage": "All",
              "Stage": "Trigger",
              "State": "Running",
              "StartedAt": "2025-01-02T10:10:10+00:00",
              "PackagePath": "/root/pkg",
              "ComputerName": "node2",
              "Transport": "Local",
              "Port": 22,
              "UserName": "me",
              "TriggerRunId": "20250102-101010-abcdef-trigger",
              "TriggerRunFolder": "/var/lib/globalupgrade/runs/20250102-101010-abcdef-trigger",
              "LogOffset": 7,
              "LastLines": [ "x" ]
            }
            """);

        var sync = images.Get("20250101-101010-abcdef");
        Assert.Equal((ImageSyncState.Succeeded, "node1", 2222, "root", 1234L), (sync.State, sync.ComputerName, sync.Port, sync.UserName, sync.LogOffset));
        Assert.Equal(["a", "b"], sync.LastLines);
        var target = RemoteTarget.FromRecord(sync);
        Assert.Equal(("node1", 2222, "root", "/root/.ssh/id_ed25519", "SHA256:abc"), (target.ComputerName, target.Port, target.UserName, target.KeyFilePath, target.HostKeyFingerprint));
        Assert.True(ImageSyncLedger.HasSucceeded("standby", "/root/pkg", images));

        var upgrade = upgrades.Get("20250102-101010-abcdef");
        Assert.Equal((UpgradeRunState.Running, "node2", 7L, "20250102-101010-abcdef-trigger"), (upgrade.State, upgrade.ComputerName, upgrade.LogOffset, upgrade.TriggerRunId));
        Assert.True(UpgradeService.TargetOf(upgrade).IsLocal);
        Directory.Delete(folder, true);
    }

    internal static GlobalUpgradeRun TriggerRun(string folder, UpgradeRunStore store, UpgradeRunState state)
    {
        var run = new GlobalUpgradeRun
        {
            Id = DetachedRun.NewId(),
            Cluster = "global",
            FromVersion = "v4.2.0",
            ToVersion = "v4.3.0",
            RequestedStage = UpgradeStage.Trigger,
            State = state,
            StartedAt = DateTimeOffset.Now,
            PackagePath = TestPaths.Package(folder, durationMs: 100),
        };
        RemoteTarget.Local.RecordInto(run);
        UpgradeTrigger.Plan(run, Path.Combine(folder, "runs"), store);
        store.Save(run);
        return run;
    }

    private sealed class ProgressLog(Action<OperationProgress>? onProgress = null) : IOperationLog
    {
        public ConcurrentQueue<OperationProgress> Reports { get; } = new();

        public void Verbose(string message) { }

        public void Debug(string message) { }

        public void Warning(string message) { }

        public void Progress(OperationProgress progress)
        {
            Reports.Enqueue(progress);
            onProgress?.Invoke(progress);
        }
    }
}
