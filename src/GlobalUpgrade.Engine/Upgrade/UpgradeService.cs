using System.Net;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// Start-GlobalUpgrade as record, then act. <see cref="RecordAsync"/> checks the preconditions (before any change) and
/// saves the run (State Starting) before anything runs, or returns the run already under way for this cluster and
/// version; <see cref="LaunchAsync"/> starts its trigger unless the node shows it started (State Running);
/// <see cref="ContinueAsync"/> follows the trigger, then upgrades the functional components. A caller that notes the
/// run id in between (a runbook journal) resumes with <see cref="ContinueAsync"/>, whatever instant it was killed at.
/// </summary>
public static class UpgradeService
{
    public static readonly TimeSpan DefaultComponentTimeout = ComponentUpgrade.DefaultTimeout;

    public const int LastLineCount = RunFollower.LastLineCount;

    /// <summary>The combined entry point: records, launches, and (unless Detach) follows to the end.</summary>
    public static async Task<GlobalUpgradeRun> StartAsync(UpgradeRequest request, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        GlobalUpgradeRun run;
        using (var host = await RemoteHost.OpenAsync(request.Target, cancellationToken).ConfigureAwait(false))
        {
            run = await RecordAsync(request, host, store, cancellationToken).ConfigureAwait(false);
            run = await LaunchAsync(run, host, store, cancellationToken).ConfigureAwait(false);
        }

        // -Detach returns while the trigger runs on the node; the component stage is waited for here.
        return request.Detach && run.State == UpgradeRunState.Running && run.TriggerRunId is not null && !run.TriggerDone
            ? run
            : await ContinueAsync(run, new UpgradeWaitOptions { Target = request.Target, Cluster = request.Cluster, Timeout = request.Timeout }, store, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the preconditions and saves the run before anything is launched: State Starting (or Succeeded when there
    /// is nothing to do). A run already under way (Starting or Running) for the same cluster and version is returned
    /// instead of a new one.
    /// </summary>
    public static async Task<GlobalUpgradeRun> RecordAsync(UpgradeRequest request, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        using var host = await RemoteHost.OpenAsync(request.Target, cancellationToken).ConfigureAwait(false);
        return await RecordAsync(request, host, store, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<GlobalUpgradeRun> RecordAsync(UpgradeRequest request, IRemoteHost host, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var log = OperationLog.Current;
        var (facts, decision, profile, _) = await UpgradeFactsReader.CheckAsync(request, host, store, cancellationToken).ConfigureAwait(false);
        if (store.List().FirstOrDefault(r => r.State is UpgradeRunState.Running or UpgradeRunState.Starting
                && string.Equals(r.Cluster, facts.Cluster, StringComparison.OrdinalIgnoreCase) && Versions.Same(r.ToVersion, facts.TargetVersion)) is { } active)
        {
            log.Verbose($"Run {active.Id} already upgrades {active.Cluster} to {active.ToVersion} (stage {active.Stage}, {active.State}); going on with it instead of starting another.");
            return active;
        }

        var id = DetachedRun.NewId();
        var run = new GlobalUpgradeRun
        {
            Id = id,
            Cluster = facts.Cluster,
            FromVersion = decision.From.Text,
            ToVersion = facts.TargetVersion,
            RequestedStage = request.Stage,
            Stage = UpgradeStage.Components,
            State = UpgradeRunState.Starting,
            StartedAt = DateTimeOffset.Now,
            PackagePath = facts.PackagePath,
            TriggerDone = decision.TriggerAlreadyDone,
            ComponentUpgrade = profile.Kind.ToString(),
            ComponentObject = profile.ComponentObject,
            Forced = request.Force,
            ComponentProfile = request.ProfileOverrides is { Count: > 0 } o ? new Dictionary<string, string?>(o, StringComparer.OrdinalIgnoreCase) : null,
            Message = decision.Summary,
        };
        request.Target.RecordInto(run);
        if (decision.RunTrigger)
        {
            UpgradeTrigger.Plan(run, request.RunRoot, store);
        }
        else if (request.Stage == UpgradeStage.Trigger)
        {
            run.Stage = UpgradeStage.Trigger;
        }

        if (!decision.RunTrigger && !decision.RunComponents)
        {
            run.State = UpgradeRunState.Succeeded;
            run.FinishedAt = DateTimeOffset.Now;
            run.Message = $"Nothing to do: {decision.Summary}.";
        }

        store.Save(run);
        log.Verbose($"[{run.Cluster}] run {id}: {run.Message}");
        return run;
    }

    /// <summary>
    /// Acts on a Starting run: launches its trigger unless the node shows it started (a run without a trigger to run
    /// just becomes Running). Any other run is returned as it is.
    /// </summary>
    public static async Task<GlobalUpgradeRun> LaunchAsync(GlobalUpgradeRun run, RemoteTarget target, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        if (run.State != UpgradeRunState.Starting)
        {
            return run;
        }

        using var host = await RemoteHost.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        return await LaunchAsync(run, host, store, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<GlobalUpgradeRun> LaunchAsync(GlobalUpgradeRun run, IRemoteHost host, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        if (run.State != UpgradeRunState.Starting)
        {
            return run;
        }

        if (!run.TriggerDone && run.TriggerRunId is not null)
        {
            await UpgradeTrigger.LaunchAsync(run, host, store, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            run.State = UpgradeRunState.Running;
            store.Save(run);
        }

        return run;
    }

    /// <summary>Drives a recorded run to its end from where it stands: launches a Starting one, follows the trigger, then the components.</summary>
    public static async Task<GlobalUpgradeRun> ContinueAsync(GlobalUpgradeRun run, UpgradeWaitOptions options, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        if (run.State is not (UpgradeRunState.Running or UpgradeRunState.Starting))
        {
            return run;
        }

        var started = DateTimeOffset.Now;
        TimeSpan? Remaining() => options.Timeout is { } limit ? limit - (DateTimeOffset.Now - started) : null;
        try
        {
            if (run.State == UpgradeRunState.Starting)
            {
                OperationLog.Current.Verbose($"Run {run.Id} was recorded but not seen launched: asking {options.Target.DisplayName} whether its trigger started.");
                await LaunchAsync(run, options.Target, store, cancellationToken).ConfigureAwait(false);
            }

            if (!run.TriggerDone && run.TriggerRunId is not null)
            {
                await UpgradeTrigger.FollowAsync(run, options.Target, Remaining(), store, cancellationToken, options.RetryAdvice).ConfigureAwait(false);
            }
            else if (!run.TriggerDone && run.RequestedStage != UpgradeStage.Components && run.Stage == UpgradeStage.Trigger)
            {
                throw new GlobalUpgradeException(ErrorIds.UpgradeTriggerLost, FailureCategory.ResourceUnavailable,
                    $"Run {run.Id} never started its trigger. {options.RetryAdvice}", run);
            }

            if (run.RequestedStage != UpgradeStage.Trigger)
            {
                var cluster = options.Cluster ?? throw new GlobalUpgradeException(ErrorIds.ClusterNotConnected, FailureCategory.ObjectNotFound,
                    $"Run {run.Id} goes on with the functional components of '{run.Cluster}', which is not connected. Connect-GlobalCluster -Name {run.Cluster} first.", run.Cluster);
                run.Stage = UpgradeStage.Components;
                store.Save(run);
                await ComponentUpgrade.UpgradeAsync(run, cluster, UpgradeTrigger.Profile(run), Remaining() ?? DefaultComponentTimeout, store, cancellationToken).ConfigureAwait(false);
            }

            run.State = UpgradeRunState.Succeeded;
            run.FinishedAt = DateTimeOffset.Now;
            store.Save(run);
            OperationLog.Current.Verbose($"[{run.Cluster}] run {run.Id}: {run.Message}");
            return run;
        }
        catch (GlobalUpgradeException ex) when (ex.ErrorId is ErrorIds.WaitTimedOut or ErrorIds.UpgradeTimeout or ErrorIds.RemoteSessionLost)
        {
            store.Save(run);
            throw new GlobalUpgradeException(ex.ErrorId == ErrorIds.RemoteSessionLost ? ErrorIds.RemoteSessionLost : ErrorIds.UpgradeTimeout,
                ex.ErrorId == ErrorIds.RemoteSessionLost ? FailureCategory.ConnectionError : FailureCategory.OperationTimeout,
                $"{ex.Message.TrimEnd('.')}. The upgrade of {run.Cluster} goes on; Wait-GlobalUpgrade -Id {run.Id} re-attaches.", run, ex);
        }
        catch (GlobalUpgradeException ex) when (ex.ErrorId is ErrorIds.ComponentUpgradeNotAvailable or ErrorIds.TargetVersionNotOffered)
        {
            // Nothing was asked of the platform: the run stays Running, and following it again waits again.
            store.Save(run);
            throw;
        }
        catch (GlobalUpgradeException ex) when (ex.ErrorId is ErrorIds.UpgradeTriggerFailed or ErrorIds.UpgradeTriggerLost or ErrorIds.ComponentUpgradeFailed
            or ErrorIds.ComponentUpgradeStalled or ErrorIds.ComponentObjectNotFound or ErrorIds.TargetVersionAmbiguous)
        {
            run.State = UpgradeRunState.Failed;
            run.FinishedAt = DateTimeOffset.Now;
            run.Message = ex.Message;
            store.Save(run);
            throw;
        }
        catch (OperationCanceledException)
        {
            store.Save(run);
            OperationLog.Current.Verbose($"Stopped following run {run.Id}; the upgrade goes on. Wait-GlobalUpgrade -Id {run.Id} re-attaches.");
            throw;
        }
    }

    /// <summary>The target recorded with a run (no password: pass the credential again for password logins).</summary>
    public static RemoteTarget TargetOf(GlobalUpgradeRun run, NetworkCredential? credential = null) => RemoteTarget.FromRecord(run, credential);

    /// <summary>Kept for UpgradeInspector; see <see cref="ComponentUpgrade.ReadObjectAsync"/>.</summary>
    internal static Task<JsonObject?> ReadComponentObjectAsync(ClusterConnection cluster, ComponentUpgradeProfile profile, CancellationToken cancellationToken) =>
        ComponentUpgrade.ReadObjectAsync(cluster, profile, cancellationToken);
}
