using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Upgrade;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

/// <summary>
/// Record, then act: a run is recorded before anything is launched, and a resume tells "never started" from
/// "started" by asking the node — it starts the first once and only follows the second, whatever instant the
/// process was killed at.
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class RecordThenActTests(SshdFixture sshd)
{
    [Fact]
    public async Task AnImageSyncIsRecordedBeforeAnythingRunsOnTheNode()
    {
        var (folder, store, request) = Setup();
        var run = ImageSyncService.Record(request, store);

        Assert.Equal(ImageSyncState.Starting, store.Get(run.Id).State);
        Assert.False(Directory.Exists(Path.Combine(folder, "runs")), "nothing exists on the node before the launch");

        run = await ImageSyncService.LaunchAsync(run, request, store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Running, store.Get(run.Id).State);
        Assert.Contains("version=", store.Get(run.Id).PackageIdentity, StringComparison.Ordinal);
        var done = await ImageSyncService.FollowAsync(run, request.Target, new FollowOptions(), store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Equal(1, Starts(request));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task AStartKilledBeforeTheWrapperRanIsStartedOnceAndLeavesNoSecret()
    {
        var (folder, store, request) = Setup(registryPassword: "a-registry-password");
        var run = ImageSyncService.Record(request, store);

        // Killed inside the start: the run folder and its secrets file exist, the wrapper never ran.
        Directory.CreateDirectory(run.RunFolder);
        File.WriteAllText(Path.Combine(run.RunFolder, "secrets"), "GU_REGISTRY_PASSWORD c2VjcmV0\n");
        File.WriteAllText(Path.Combine(run.RunFolder, "cmd"), "bash upgrade.sh\n");
        using (var host = await RemoteHost.OpenAsync(request.Target, CancellationToken.None))
        {
            Assert.Equal(DetachedState.NotStarted, (await DetachedRun.GetStatusAsync(host, Path.Combine(folder, "runs"), run.Id, CancellationToken.None)).State);
        }

        run = await ImageSyncService.LaunchAsync(store.Get(run.Id), request, store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Running, run.State);
        Assert.False(File.Exists(Path.Combine(run.RunFolder, "secrets")));
        var done = await ImageSyncService.FollowAsync(run, request.Target, new FollowOptions(), store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Equal(1, Starts(request));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task AStartKilledAfterTheLaunchIsNeverStartedTwice()
    {
        var (folder, store, request) = Setup();
        var run = ImageSyncService.Record(request, store);

        // Killed after the node started it, before the record said Running.
        using (var host = await RemoteHost.OpenAsync(request.Target, CancellationToken.None))
        {
            await DetachedRun.StartAsync(host, Path.Combine(folder, "runs"), run.Id, run.PackagePath, "bash upgrade.sh --only-sync-image=true", new Dictionary<string, string>(), CancellationToken.None);
        }

        Assert.Equal(ImageSyncState.Starting, store.Get(run.Id).State);
        run = await ImageSyncService.LaunchAsync(store.Get(run.Id), request, store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Running, run.State);
        var done = await ImageSyncService.FollowAsync(run, request.Target, new FollowOptions(), store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Equal(1, Starts(request));

        // Launching a run that is past Starting does nothing at all.
        Assert.Same(done, await ImageSyncService.LaunchAsync(done, request, store, CancellationToken.None));
        Assert.Equal(1, Starts(request));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task AskingAgainAfterAKilledStartTakesUpTheInterruptedRun()
    {
        var (folder, store, request) = Setup();
        var first = ImageSyncService.Record(request, store);
        using (var host = await RemoteHost.OpenAsync(request.Target, CancellationToken.None))
        {
            await DetachedRun.StartAsync(host, Path.Combine(folder, "runs"), first.Id, first.PackagePath, "bash upgrade.sh --only-sync-image=true", new Dictionary<string, string>(), CancellationToken.None);
        }

        // Invoke-GlobalImageSync again (or a runbook that lost the run id): the same run, not a second sync.
        var again = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        Assert.Equal(first.Id, again.Id);
        Assert.Single(store.List());
        var done = await ImageSyncService.FollowAsync(again, request.Target, new FollowOptions(), store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.Equal(1, Starts(request));

        // A run past Starting is never taken up: a new request records a new run.
        var next = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        Assert.NotEqual(first.Id, next.Id);
        Assert.Equal(ImageSyncState.Succeeded, (await ImageSyncService.FollowAsync(next, request.Target, new FollowOptions(), store, CancellationToken.None)).State);
        Assert.Equal(2, Starts(request));
        Directory.Delete(folder, true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FollowingARecordLeftStartingThatNeverStartedSaysSoAndNeverHangs(bool remote)
    {
        var (folder, store, request) = Setup();
        request = remote ? request : request with { Target = RemoteTarget.Local };
        var run = ImageSyncService.Record(request, store);

        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ImageSyncService.FollowAsync(run, request.Target, new FollowOptions(), store, CancellationToken.None));
        Assert.Equal(ErrorIds.ImageSyncLost, ex.ErrorId);
        Assert.Contains("never started", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-Resume", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ImageSyncState.Lost, store.Get(run.Id).State);
        Assert.Equal(0, Starts(request));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task APackageCheckThatFailsLeavesNoRecord()
    {
        var (folder, store, request) = Setup();
        var run = ImageSyncService.Record(request with { PackagePath = "/no/such/package" }, store);
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ImageSyncService.LaunchAsync(run, request with { PackagePath = "/no/such/package" }, store, CancellationToken.None));
        Assert.Equal(ErrorIds.PackagePathNotFound, ex.ErrorId);
        Assert.Null(store.Find(run.Id));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task AnUpgradeTriggerLaunchedBeforeTheKillIsFollowedNotStartedAgain()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new UpgradeRunStore(Path.Combine(folder, "state"));
        var run = RunFollowerTests.TriggerRun(folder, store, UpgradeRunState.Starting);
        File.WriteAllText(Path.Combine(run.PackagePath, "upgrade.sh"), "echo started >> starts\necho \"upgrade triggered\"\n");
        using (var host = await RemoteHost.OpenAsync(RemoteTarget.Local, CancellationToken.None))
        {
            await DetachedRun.StartAsync(host, Path.Combine(folder, "runs"), run.TriggerRunId!, run.PackagePath, "bash upgrade.sh --skip-sync-image", new Dictionary<string, string>(), CancellationToken.None);
        }

        var done = await UpgradeService.ContinueAsync(store.Get(run.Id), new UpgradeWaitOptions { Target = RemoteTarget.Local }, store, CancellationToken.None);
        Assert.Equal(UpgradeRunState.Succeeded, done.State);
        Assert.True(done.TriggerDone);
        Assert.Single(File.ReadAllLines(Path.Combine(run.PackagePath, "starts")));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task AnOldRunningRecordWhoseTriggerNeverStartedFailsOnceWithResumeAdvice()
    {
        // Records written before "record, then act" said Running before the trigger's folder existed.
        var folder = TestPaths.NewTempFolder();
        var store = new UpgradeRunStore(Path.Combine(folder, "state"));
        var run = RunFollowerTests.TriggerRun(folder, store, UpgradeRunState.Running);

        // As the runbook's step follows it: the advice is the runbook's -Resume, not Start-GlobalUpgrade.
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => UpgradeService.ContinueAsync(run, new UpgradeWaitOptions { Target = RemoteTarget.Local, RetryAdvice = UpgradeWaitOptions.RunbookRetryAdvice }, store, CancellationToken.None));
        Assert.Equal(ErrorIds.UpgradeTriggerLost, ex.ErrorId);
        Assert.Contains("-Resume", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Start-GlobalUpgrade", ex.Message, StringComparison.Ordinal);
        Assert.Equal(UpgradeRunState.Failed, store.Get(run.Id).State);
        Assert.False(Directory.Exists(run.TriggerRunFolder));
        Directory.Delete(folder, true);
    }

    private (string Folder, ImageSyncStore Store, ImageSyncRequest Request) Setup(string? registryPassword = null)
    {
        var folder = TestPaths.NewTempFolder();
        var package = TestPaths.Package(folder);
        File.WriteAllText(Path.Combine(package, "upgrade.sh"), "echo started >> starts\nfor i in 1 2 3; do echo \"[$i/3] image $i\"; done\n");
        var request = new ImageSyncRequest
        {
            Target = sshd.Target(),
            Cluster = "global",
            PackagePath = package,
            RunRoot = Path.Combine(folder, "runs"),
            Registry = registryPassword is null ? null : "registry.example:5000",
            RegistryCredential = registryPassword is null ? null : new System.Net.NetworkCredential("pusher", registryPassword),
        };
        return (folder, new ImageSyncStore(Path.Combine(folder, "state")), request);
    }

    private static int Starts(ImageSyncRequest request)
    {
        var path = Path.Combine(request.PackagePath, "starts");
        return File.Exists(path) ? File.ReadAllLines(path).Length : 0;
    }
}
