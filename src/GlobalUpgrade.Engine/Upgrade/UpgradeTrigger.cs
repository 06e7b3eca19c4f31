using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// The upgrade trigger, <c>bash upgrade.sh --skip-sync-image</c> in the package folder, run detached on the node.
/// Its run id and folder are recorded before it is launched; launching asks the node first, so a trigger whose
/// start was interrupted is started once (never twice), and one that started is only followed.
/// </summary>
public static class UpgradeTrigger
{
    /// <summary>Notes the trigger's run id, folder and local log in the record (saved by the caller, before anything runs).</summary>
    public static void Plan(GlobalUpgradeRun run, string runRoot, UpgradeRunStore store)
    {
        run.Stage = UpgradeStage.Trigger;
        run.TriggerRunId = run.Id + "-trigger";
        run.TriggerRunFolder = DetachedRun.Folder(runRoot, run.TriggerRunId);
        run.LogPath = store.DefaultLogPath(run.Id);
    }

    /// <summary>Starts the recorded trigger unless the node shows it started already; the run is then Running.</summary>
    public static async Task LaunchAsync(GlobalUpgradeRun run, IRemoteHost host, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var id = run.TriggerRunId!;
        var command = Profile(run).TriggerCommand;
        var root = DetachedRun.RootOf(run.TriggerRunFolder!, id);
        OperationLog.Current.Verbose($"Starting on {host.Target.DisplayName} in {run.PackagePath} unless it started before: {command} (run {id}, run folder {run.TriggerRunFolder}).");
        var started = await DetachedRun.StartOnceAsync(host, root, id, run.PackagePath, command, new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false) is not null;
        run.State = UpgradeRunState.Running;
        run.Message = $"{command} runs in {run.PackagePath} on {run.ComputerName}";
        store.Save(run);
        OperationLog.Current.Verbose(started
            ? $"The trigger of {run.Cluster} runs detached; Wait-GlobalUpgrade -Id {run.Id} re-attaches to it."
            : $"The trigger of {run.Cluster} had started before (run {id}): following it, not starting it again.");
    }

    /// <summary>Follows the trigger to its end; sets TriggerDone, or throws UpgradeTriggerFailed / UpgradeTriggerLost / UpgradeTimeout.</summary>
    public static async Task FollowAsync(GlobalUpgradeRun run, RemoteTarget target, TimeSpan? timeout, UpgradeRunStore store, CancellationToken cancellationToken, string retryAdvice = UpgradeWaitOptions.StandaloneRetryAdvice)
    {
        DetachedStatus status;
        try
        {
            status = await RunFollower.FollowAsync(run, target, new RunFollower.Options
            {
                Activity = $"Upgrade of {run.Cluster} to {run.ToVersion}: upgrade.sh --skip-sync-image",
                ActivityBase = 0x5300,
                RunFolder = run.TriggerRunFolder!,
                DefaultLogPath = store.DefaultLogPath(run.Id),
                Progress = Progress.Instance,
                Timeout = timeout,
            }, _ => store.Save(run), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new GlobalUpgradeException(ErrorIds.UpgradeTimeout, FailureCategory.OperationTimeout,
                $"upgrade.sh --skip-sync-image on {run.ComputerName} did not end within {timeout}", run);
        }

        var lastLines = string.Join(Environment.NewLine, run.LastLines);
        switch (status.State)
        {
            case DetachedState.Running:
                throw new GlobalUpgradeException(ErrorIds.UpgradeTimeout, FailureCategory.OperationTimeout,
                    $"The log of the trigger ended while upgrade.sh still runs on {run.ComputerName}", run);
            case DetachedState.Exited when status.ExitCode == 0:
                run.TriggerExitCode = 0;
                run.TriggerDone = true;
                run.Message = $"upgrade.sh --skip-sync-image ended well on {run.ComputerName}";
                store.Save(run);
                return;
            case DetachedState.Exited:
                run.TriggerExitCode = status.ExitCode;
                throw new GlobalUpgradeException(ErrorIds.UpgradeTriggerFailed, FailureCategory.InvalidOperation,
                    $"The upgrade trigger of {run.Cluster} (upgrade.sh --skip-sync-image in {run.PackagePath} on {run.ComputerName}, run {run.Id}) failed with exit code {status.ExitCode}. " +
                    $"Nothing else was changed by this run. Full log: {run.LogPath}. Last lines:{Environment.NewLine}{lastLines}", run);
            default:
                throw new GlobalUpgradeException(ErrorIds.UpgradeTriggerLost, FailureCategory.ResourceUnavailable,
                    $"The upgrade trigger of {run.Cluster} (run {run.TriggerRunId}) is gone from {run.ComputerName} without an exit code: the process was killed or the node restarted. " +
                    $"Check the platform (Get-GlobalUpgradeStatus). {retryAdvice} Last lines:{Environment.NewLine}{lastLines}", run);
        }
    }

    internal static ComponentUpgradeProfile Profile(GlobalUpgradeRun run) =>
        ComponentUpgradeProfile.For(PlatformVersion.Parse(run.ToVersion), run.ComponentProfile);

    /// <summary>upgrade.sh's output format is not published [assumed] (docs/platform-versions.md): no percentage, the latest line only.</summary>
    private sealed class Progress : IRunProgressParser
    {
        public static readonly Progress Instance = new();

        public int PercentComplete(IReadOnlyList<string> lastLines) => -1;
    }
}
