using System.Diagnostics;
using System.Net;
using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Upgrade;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

/// <summary>
/// Kills the starting process tree (Process.Kill(entireProcessTree: true): what a closed terminal or Ctrl+C does to
/// everything we started) at many instants of an image sync and an upgrade trigger, here and over a real sshd, then
/// resumes: the vendor script ran exactly once, the resume finishes, no secret is left on the node. Each instant is an
/// event (a file of the run folder appearing, the vendor script's pid, a line of its log), never a fixed time.
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class KillAtAnyInstantTests(SshdFixture sshd)
{
    private const string Password = "kill-test-Pa55word";

    // The stand-in vendor script: counts its starts, tells its pid, prints two lines, waits for the test's go-ahead,
    // prints two more. The go-ahead comes only after the kill, so "at the vendor start" and "mid-run" are held there.
    private const string VendorScript = """
        echo started >> starts
        echo $$ > vendor.pid
        echo "[1/4] image 1"; echo "[2/4] image 2"
        while [ ! -f go ]; do sleep 0.02; done
        echo "[3/4] image 3"; echo "[4/4] image 4 finished"
        """;

    public enum Instant
    {
        /// <summary>Ctrl+C before anything was asked: nothing recorded, nothing on the node.</summary>
        BeforeTheRecord,

        /// <summary>The record says Starting, nothing was launched.</summary>
        BetweenRecordAndLaunch,

        /// <summary>Inside the start script: the run folder holds cmd, the wrapper is not forked yet.</summary>
        RunFolderWritten,

        /// <summary>Right before the start script forks the wrapper (the log is created last).</summary>
        WrapperForking,

        /// <summary>The vendor script has just started (it holds there).</summary>
        VendorStart,

        /// <summary>The vendor script printed half its lines; the follower is attached.</summary>
        MidRun,
    }

    public static TheoryData<Instant, bool> Cases()
    {
        var data = new TheoryData<Instant, bool>();
        foreach (var instant in Enum.GetValues<Instant>())
        {
            data.Add(instant, false);
            data.Add(instant, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ImageSyncKilledAtAnyInstantRunsOnceAndResumes(Instant instant, bool remote)
    {
        var folder = TestPaths.NewTempFolder();
        var package = TestPaths.Package(folder);
        File.WriteAllText(Path.Combine(package, "upgrade.sh"), VendorScript);
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var runs = Path.Combine(folder, "runs");
        var request = new ImageSyncRequest
        {
            Target = remote ? sshd.Target() : RemoteTarget.Local,
            Cluster = "global",
            PackagePath = package,
            RunRoot = runs,
            Registry = "registry.example:5000",
            RegistryCredential = new NetworkCredential("pusher", Password),
        };

        if (instant == Instant.BetweenRecordAndLaunch)
        {
            ImageSyncService.Record(request, store);
        }
        else
        {
            await KillAt(instant, remote, runs, package, async ct =>
            {
                var run = await ImageSyncService.StartAsync(request, store, ct);
                await ImageSyncService.FollowAsync(run, request.Target, new FollowOptions(), store, ct);
            });
        }

        await AssertHeldVendorSurvived(instant, package);
        File.WriteAllText(Path.Combine(package, "go"), "");

        // The resume: the recorded run (launched unless the node shows it started), else a new request.
        var recorded = store.List().SingleOrDefault();
        Assert.True(instant != Instant.BeforeTheRecord || recorded is null, "nothing is recorded before the record");
        var resumed = recorded is null ? await ImageSyncService.StartAsync(request, store, CancellationToken.None) : await ImageSyncService.LaunchAsync(recorded, request, store, CancellationToken.None);
        var done = await ImageSyncService.FollowAsync(resumed, request.Target, new FollowOptions(), store, CancellationToken.None);

        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Single(store.List());
        AssertRanOnceAndLeftNoSecret(package, runs);
        Assert.Equal("[4/4] image 4 finished", done.LastLines[^1]);
        Directory.Delete(folder, true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task UpgradeTriggerKilledAtAnyInstantRunsOnceAndResumes(Instant instant, bool remote)
    {
        var folder = TestPaths.NewTempFolder();
        var store = new UpgradeRunStore(Path.Combine(folder, "state"));
        var runs = Path.Combine(folder, "runs");
        var target = remote ? sshd.Target() : RemoteTarget.Local;
        var options = new UpgradeWaitOptions { Target = target };
        GlobalUpgradeRun? run = null;
        string package;
        if (instant == Instant.BeforeTheRecord)
        {
            // Killed before the record: there is nothing to resume, only to ask again.
            package = TestPaths.Package(folder);
        }
        else
        {
            run = RunFollowerTests.TriggerRun(folder, store, UpgradeRunState.Starting);
            package = run.PackagePath;
        }

        File.WriteAllText(Path.Combine(package, "upgrade.sh"), VendorScript);
        if (run is not null && instant != Instant.BetweenRecordAndLaunch)
        {
            await KillAt(instant, remote, runs, package, ct => UpgradeService.ContinueAsync(store.Get(run.Id), options, store, ct));
        }

        await AssertHeldVendorSurvived(instant, package);
        File.WriteAllText(Path.Combine(package, "go"), "");

        run ??= RunFollowerTests.TriggerRun(folder, store, UpgradeRunState.Starting);
        File.WriteAllText(Path.Combine(run.PackagePath, "upgrade.sh"), VendorScript);
        File.WriteAllText(Path.Combine(run.PackagePath, "go"), "");
        var done = await UpgradeService.ContinueAsync(store.Get(run.Id), options, store, CancellationToken.None);

        Assert.Equal(UpgradeRunState.Succeeded, done.State);
        Assert.True(done.TriggerDone);
        AssertRanOnceAndLeftNoSecret(run.PackagePath, runs);
        Directory.Delete(folder, true);
    }

    /// <summary>
    /// Runs <paramref name="work"/> and kills everything it started the moment <paramref name="instant"/> is seen:
    /// here, the bash process tree of the command in flight (Process.Kill(entireProcessTree: true), the host's
    /// Ctrl+C); over SSH, the server's session processes with their whole tree (a dropped session, a closed terminal).
    /// </summary>
    private async Task KillAt(Instant instant, bool remote, string runs, string package, Func<CancellationToken, Task> work)
    {
        using var kill = new CancellationTokenSource();
        if (instant == Instant.BeforeTheRecord)
        {
            await kill.CancelAsync();
        }

        var operation = Task.Run(() => work(kill.Token));
        var seen = instant == Instant.BeforeTheRecord || await WaitFor(() => Happened(instant, runs, package), operation);
        Assert.True(seen, $"the instant {instant} never came");
        if (remote)
        {
            foreach (var pid in sshd.SessionProcessIds())
            {
                try
                {
                    Process.GetProcessById(pid).Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                }
            }
        }

        await kill.CancelAsync();
        var stopped = await Assert.ThrowsAnyAsync<Exception>(() => operation);
        // The kill, and nothing else: the host's Ctrl+C (cancellation) or, over SSH, the session dropped under it.
        var expected = stopped is OperationCanceledException
            || (remote && stopped is GlobalUpgradeException { ErrorId: ErrorIds.RemoteSessionLost or ErrorIds.SshConnectionFailed });
        Assert.True(expected, $"killed at {instant} ({(remote ? "over SSH" : "here")}), the operation ended with {stopped.GetType().Name}: {stopped.Message}");
        KillInstantsCovered.Record(nameof(KillAtAnyInstantTests), instant.ToString(), remote, stopped);
    }

    private static bool Happened(Instant instant, string runs, string package)
    {
        var folders = Directory.Exists(runs) ? Directory.GetDirectories(runs) : [];
        return instant switch
        {
            Instant.RunFolderWritten => folders.Any(f => File.Exists(Path.Combine(f, "cmd"))),
            Instant.WrapperForking => folders.Any(f => File.Exists(Path.Combine(f, "log"))),
            Instant.VendorStart => File.Exists(Path.Combine(package, "vendor.pid")),
            Instant.MidRun => folders.Any(f => File.Exists(Path.Combine(f, "log")) && File.ReadAllText(Path.Combine(f, "log")).Contains("[2/4]", StringComparison.Ordinal)),
            _ => true,
        };
    }

    /// <summary>Polls for the event as fast as it can (it is the instant to kill at); false when the work ended first.</summary>
    private static async Task<bool> WaitFor(Func<bool> condition, Task work)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            if (work.IsCompleted)
            {
                return condition();
            }

            await Task.Delay(2);
        }

        return false;
    }

    /// <summary>Where the vendor script was held (its start, mid-run), it must still run after the kill.</summary>
    private static async Task AssertHeldVendorSurvived(Instant instant, string package)
    {
        if (instant is not (Instant.VendorStart or Instant.MidRun))
        {
            return;
        }

        var pidFile = Path.Combine(package, "vendor.pid");
        await WaitFor(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), Task.Delay(-1));
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var vendor = Process.GetProcessById(pid);
        Assert.False(vendor.HasExited, "the vendor script must survive the kill of the process tree that started it");
    }

    private static void AssertRanOnceAndLeftNoSecret(string package, string runs)
    {
        Assert.Single(File.ReadAllLines(Path.Combine(package, "starts")));
        Assert.Empty(Directory.GetFiles(runs, "secrets", SearchOption.AllDirectories));
        foreach (var file in Directory.GetFiles(runs, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Password, File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}
