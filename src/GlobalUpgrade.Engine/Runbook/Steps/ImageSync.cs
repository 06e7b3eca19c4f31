using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// upgrade.sh --only-sync-image on one cluster's node, detached; the run id is kept before it is followed, so a
/// resume re-attaches. Skipped when a successful sync of the same package is on record (pre-staged days before).
/// </summary>
public sealed class ImageSync(RunbookShape shape, ClusterSlot slot) : RunbookStepDefinition(UpgradeSteps.ImageSync, shape, slot)
{
    private const string RunIdKey = "runId";

    public override StepPlan Plan(PlanFacts facts)
    {
        var c = facts.Of(Cluster);
        var atTarget = facts.AtTarget(Cluster);
        return StepPlan.DoneIf(c.ImageSyncOnRecord || atTarget,
            atTarget ? $"{c.Name} already runs {facts.TargetVersion}"
            : c.ImageSyncOnRecord ? $"a successful image sync of {facts.PackagePath} is on record"
            : facts.PackagePath is null ? "no -PackagePath given: whether the images were synced is unknown"
            : $"no successful image sync of {facts.PackagePath} on record");
    }

    public override async Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var slot = Slots[0];
        var cluster = context.Cluster(slot);
        var target = context.Target(slot);
        var packagePath = request.PackagePathOf(cluster);
        var store = context.Engine.ImageSyncs;
        var credential = request.RegistryCredentialOf(cluster);
        var secrets = credential?.Password is { Length: > 0 } password ? new[] { password } : [];
        var follow = new FollowOptions { Secrets = secrets, Timeout = request.StepTimeout };
        var syncRequest = new ImageSyncRequest { Target = target, Cluster = cluster.Name, PackagePath = packagePath, Registry = request.RegistryOf(cluster), RegistryCredential = credential, SkipCheckArtifacts = request.SkipCheckArtifacts, RunRoot = request.RunRoot };

        // A run this step recorded and that may still be under way is taken up; a failed one is not: -Resume re-checks and syncs again.
        var run = context.Output(RunIdKey)?.ToString() is { Length: > 0 } runId && store.Find(runId) is { State: ImageSyncState.Starting or ImageSyncState.Running or ImageSyncState.Succeeded } recorded
            ? recorded
            : null;
        if (run is null && ImageSyncLedger.LastSucceeded(cluster.Name, packagePath, store) is { } done)
        {
            context.SetOutput(RunIdKey, done.Id);
            return StepOutcome.Skipped($"A successful image sync of {packagePath} for {cluster.Name} is on record (run {done.Id}, {done.FinishedAt:yyyy-MM-dd HH:mm}).");
        }

        if (run is null)
        {
            // Record, journal, then act: a kill in between leaves a Starting run that the next resume launches once.
            run = ImageSyncService.RecordOrTakeUp(syncRequest, store);
            context.SetOutput(RunIdKey, run.Id);
        }
        else
        {
            context.Engine.Log.Verbose($"[{cluster.Name}] re-attaching to image sync run {run.Id} ({run.State}).");
        }

        if (run.State != ImageSyncState.Succeeded)
        {
            // One login for the start and the following (the command's connections).
            var sessions = context.Engine.Sessions;
            run = await ImageSyncService.LaunchAsync(run, syncRequest, store, cancellationToken, sessions).ConfigureAwait(false);
            run = await ImageSyncService.FollowAsync(run, ImageSyncService.TargetOf(run, target.Credential), follow, store, cancellationToken, sessions).ConfigureAwait(false);
        }

        if (run.State != ImageSyncState.Succeeded)
        {
            throw new GlobalUpgradeException(ErrorIds.ImageSyncFailed, FailureCategory.InvalidOperation, $"The image sync of {cluster.Name} (run {run.Id}) ended {run.State}. Last lines: {string.Join(" / ", run.LastLines ?? [])} Fix the cause, then run again with -Resume: the sync is started again.", cluster.Name);
        }

        return StepOutcome.Succeeded($"Images of {run.PackagePath} synced for {cluster.Name} (run {run.Id}, log {run.LogPath}).");
    }
}
