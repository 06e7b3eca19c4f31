using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Models;

namespace GlobalUpgrade.Upgrade;

public sealed record UpgradeRequest
{
    public required RemoteTarget Target { get; init; }

    public required ClusterConnection Cluster { get; init; }

    /// <summary>The extracted package folder on the node (holds upgrade.sh and 'version').</summary>
    public required string PackagePath { get; init; }

    /// <summary>The target; null reads the package's 'version' file.</summary>
    public string? TargetVersion { get; init; }

    public UpgradeStage Stage { get; init; } = UpgradeStage.All;

    public bool IncludeKubernetes { get; init; }

    /// <summary>Skip the image sync guard (and the "trigger first" guard of -Stage Components).</summary>
    public bool Force { get; init; }

    /// <summary>Return once the trigger runs detached (Wait-GlobalUpgrade follows it).</summary>
    public bool Detach { get; init; }

    /// <summary>Give up waiting after this long (the upgrade goes on); null: no limit for the trigger, <see cref="UpgradeService.DefaultComponentTimeout"/> for the components.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Overrides of the [assumed] component profile values, by name (ComponentUpgradeProfile.OverridableNames).</summary>
    public IReadOnlyDictionary<string, string?>? ProfileOverrides { get; init; }

    public string RunRoot { get; init; } = DetachedRun.DefaultRoot;

    /// <summary>Where successful image syncs are looked up; default: the user's state folder.</summary>
    public ImageSyncStore? SyncStore { get; init; }
}

/// <summary>How Wait-GlobalUpgrade continues a recorded run.</summary>
public sealed record UpgradeWaitOptions
{
    public required RemoteTarget Target { get; init; }

    /// <summary>The run's cluster, when connected (needed for the component stage only).</summary>
    public ClusterConnection? Cluster { get; init; }

    public TimeSpan? Timeout { get; init; }
}

/// <summary>
/// Start-GlobalUpgrade: checks the preconditions before any change, runs <c>upgrade.sh --skip-sync-image</c>
/// detached on the node and follows it, then asks for the functional components (ClusterModule before 4.3,
/// ClusterVersionShadow from 4.3) and waits, watch-driven, until they are settled at the target or the platform
/// reports why not. Every run is recorded locally; an upgrade request already on the cluster is never written twice.
/// </summary>
public static partial class UpgradeService
{
    public static readonly TimeSpan DefaultComponentTimeout = TimeSpan.FromHours(2);

    /// <summary>How long a 4.3 ClusterVersionShadow may take to appear after the trigger.</summary>
    public static readonly TimeSpan ComponentObjectAppearTimeout = TimeSpan.FromMinutes(15);

    public const int LastLineCount = 20;

    /// <summary>Reads everything the decision needs (nothing is changed) and decides; throws when a precondition fails.</summary>
    public static async Task<(UpgradeFacts Facts, UpgradeDecision Decision, ComponentUpgradeProfile Profile, string PackageIdentity)> CheckAsync(
        UpgradeRequest request, IRemoteHost host, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var cluster = request.Cluster;
        var packagePath = ImageSyncLedger.NormalizePath(request.PackagePath);
        var log = OperationLog.Current;
        var identity = await ImageSyncService.ReadPackageIdentityAsync(host, packagePath, cancellationToken).ConfigureAwait(false);
        var target = request.TargetVersion ?? PackageVersion(identity)
            ?? throw new GlobalUpgradeException(ErrorIds.TargetVersionUnknown, FailureCategory.InvalidArgument,
                $"The package '{packagePath}' has no 'version' file saying which version it installs. Pass -TargetVersion. Nothing was changed.", packagePath);
        var to = PlatformVersion.Parse(target);
        if (request.TargetVersion is not null && PackageVersion(identity) is { } packageVersion && !Versions.Same(packageVersion, target))
        {
            log.Warning($"The package '{packagePath}' says it installs {packageVersion}, but -TargetVersion is {target}.");
        }

        log.Verbose($"[{cluster.Name}] reading clusters.platform.tkestack.io/{AcpResources.GlobalClusterName} and productbases/{AcpResources.ProductBaseName}.");
        var isGlobal = await cluster.GetAsync(AcpResources.Clusters, null, AcpResources.GlobalClusterName, cancellationToken).ConfigureAwait(false) is not null;
        var running = isGlobal ? await PlatformVersionReader.ReadAsync(cluster, cancellationToken).ConfigureAwait(false) : "";
        var profile = ComponentUpgradeProfile.For(to).With(request.ProfileOverrides);
        var components = isGlobal ? ComponentState.Read(await ReadComponentObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false), profile)
            : new ComponentState { Kind = profile.Kind, ObjectName = profile.ComponentObject };
        var synced = ImageSyncLedger.HasSucceeded(cluster.Name, packagePath, request.SyncStore);
        var triggered = store.List().Any(r => string.Equals(r.Cluster, cluster.Name, StringComparison.OrdinalIgnoreCase) && Versions.Same(r.ToVersion, target) && r.TriggerDone);
        var facts = new UpgradeFacts
        {
            Cluster = cluster.Name,
            IsGlobal = isGlobal,
            PlatformVersion = running,
            TargetVersion = target,
            Components = components,
            ImageSyncSucceeded = synced,
            TriggerRecorded = triggered,
            PackagePath = packagePath,
        };
        log.Verbose($"[{cluster.Name}] platform {running}, target {target}, {components.ObjectName}: {components.State} (asks for {components.Desired ?? "-"}, runs {components.Current ?? "-"}); image sync of the package on record: {synced}.");
        var decision = UpgradePreconditions.Decide(facts, request.Stage, request.Force);
        return (facts, decision, profile, identity);
    }

    /// <summary>Checks, records and runs the upgrade; returns the finished run (or the running one with Detach).</summary>
    public static async Task<GlobalUpgradeRun> StartAsync(UpgradeRequest request, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var log = OperationLog.Current;
        GlobalUpgradeRun run;
        ComponentUpgradeProfile profile;
        using (var host = await RemoteHost.OpenAsync(request.Target, cancellationToken).ConfigureAwait(false))
        {
            var (facts, decision, checkedProfile, _) = await CheckAsync(request, host, store, cancellationToken).ConfigureAwait(false);
            profile = checkedProfile;
            if (store.List().FirstOrDefault(r => r.State == UpgradeRunState.Running
                    && string.Equals(r.Cluster, facts.Cluster, StringComparison.OrdinalIgnoreCase) && Versions.Same(r.ToVersion, facts.TargetVersion)) is { } active)
            {
                log.Verbose($"Run {active.Id} already upgrades {active.Cluster} to {active.ToVersion} (stage {active.Stage}); attaching to it instead of starting another.");
                return await ContinueAsync(active, new UpgradeWaitOptions { Target = request.Target, Cluster = request.Cluster, Timeout = request.Timeout }, store, cancellationToken).ConfigureAwait(false);
            }

            var id = DetachedRun.NewId();
            run = new GlobalUpgradeRun
            {
                Id = id,
                Cluster = facts.Cluster,
                FromVersion = decision.From.Text,
                ToVersion = facts.TargetVersion,
                RequestedStage = request.Stage,
                Stage = decision.RunTrigger || request.Stage == UpgradeStage.Trigger ? UpgradeStage.Trigger : UpgradeStage.Components,
                State = UpgradeRunState.Running,
                StartedAt = DateTimeOffset.Now,
                PackagePath = facts.PackagePath,
                ComputerName = request.Target.IsLocal ? Environment.MachineName : request.Target.ComputerName!,
                Transport = request.Target.IsLocal ? "Local" : "Ssh",
                Port = request.Target.Port,
                UserName = request.Target.IsLocal ? Environment.UserName : request.Target.EffectiveUserName,
                KeyFilePath = request.Target.KeyFilePath,
                KnownHostsPath = request.Target.KnownHostsPath,
                HostKeyFingerprint = request.Target.HostKeyFingerprint,
                TriggerDone = decision.TriggerAlreadyDone,
                ComponentUpgrade = profile.Kind.ToString(),
                ComponentObject = profile.ComponentObject,
                IncludeKubernetes = request.IncludeKubernetes,
                Forced = request.Force,
                ComponentProfile = request.ProfileOverrides is { Count: > 0 } o ? new Dictionary<string, string?>(o, StringComparer.OrdinalIgnoreCase) : null,
                Message = decision.Summary,
            };

            if (!decision.RunTrigger && !decision.RunComponents)
            {
                run.State = UpgradeRunState.Succeeded;
                run.FinishedAt = DateTimeOffset.Now;
                run.Message = $"Nothing to do: {decision.Summary}.";
                store.Save(run);
                log.Verbose($"[{run.Cluster}] {run.Message}");
                return run;
            }

            log.Verbose($"[{run.Cluster}] run {id}: {decision.Summary}.");
            if (decision.RunTrigger)
            {
                await StartTriggerAsync(run, host, profile, request.RunRoot, store, cancellationToken).ConfigureAwait(false);
                if (request.Detach)
                {
                    return run;
                }
            }
            else
            {
                store.Save(run);
            }
        }

        return await ContinueAsync(run, new UpgradeWaitOptions { Target = request.Target, Cluster = request.Cluster, Timeout = request.Timeout }, store, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drives a recorded run to its end from where it stands: follows the trigger, then the components.</summary>
    public static async Task<GlobalUpgradeRun> ContinueAsync(GlobalUpgradeRun run, UpgradeWaitOptions options, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        if (run.State != UpgradeRunState.Running)
        {
            return run;
        }

        var started = DateTimeOffset.Now;
        TimeSpan? Remaining() => options.Timeout is { } limit ? limit - (DateTimeOffset.Now - started) : null;
        try
        {
            if (!run.TriggerDone && run.TriggerRunId is not null)
            {
                await FollowTriggerAsync(run, options.Target, Remaining(), store, cancellationToken).ConfigureAwait(false);
            }
            else if (!run.TriggerDone && run.RequestedStage != UpgradeStage.Components && run.Stage == UpgradeStage.Trigger)
            {
                throw new GlobalUpgradeException(ErrorIds.UpgradeTriggerLost, FailureCategory.ResourceUnavailable,
                    $"Run {run.Id} never started its trigger. Start-GlobalUpgrade again.", run);
            }

            if (run.RequestedStage != UpgradeStage.Trigger)
            {
                var cluster = options.Cluster ?? throw new GlobalUpgradeException(ErrorIds.ClusterNotConnected, FailureCategory.ObjectNotFound,
                    $"Run {run.Id} goes on with the functional components of '{run.Cluster}', which is not connected. Connect-GlobalCluster -Name {run.Cluster} first.", run.Cluster);
                var profile = ComponentUpgradeProfile.For(PlatformVersion.Parse(run.ToVersion)).With(run.ComponentProfile);
                run.Stage = UpgradeStage.Components;
                store.Save(run);
                await UpgradeComponentsAsync(run, cluster, profile, Remaining() ?? DefaultComponentTimeout, store, cancellationToken).ConfigureAwait(false);
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
        catch (GlobalUpgradeException ex) when (ex.ErrorId is ErrorIds.UpgradeTriggerFailed or ErrorIds.UpgradeTriggerLost or ErrorIds.ComponentUpgradeFailed
            or ErrorIds.ComponentUpgradeStalled or ErrorIds.ComponentObjectNotFound)
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
    public static RemoteTarget TargetOf(GlobalUpgradeRun run, System.Net.NetworkCredential? credential = null) =>
        RemoteTarget.FromRecord(run.Transport, run.ComputerName, run.Port, run.UserName, run.KeyFilePath, run.KnownHostsPath, run.HostKeyFingerprint, credential);

    private static async Task StartTriggerAsync(GlobalUpgradeRun run, IRemoteHost host, ComponentUpgradeProfile profile, string runRoot, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var triggerId = run.Id + "-trigger";
        run.Stage = UpgradeStage.Trigger;
        run.TriggerRunId = triggerId;
        run.TriggerRunFolder = DetachedRun.Folder(runRoot, triggerId);
        run.LogPath = store.DefaultLogPath(run.Id);
        run.Message = $"{profile.TriggerCommand} runs in {run.PackagePath} on {run.ComputerName}";
        // Recorded before it starts: a session dropped from here on re-attaches by this id.
        store.Save(run);
        OperationLog.Current.Verbose($"Starting on {host.Target.DisplayName} in {run.PackagePath}: {profile.TriggerCommand} (run {triggerId}, run folder {run.TriggerRunFolder}).");
        await DetachedRun.StartAsync(host, runRoot, triggerId, run.PackagePath, profile.TriggerCommand, new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);
        OperationLog.Current.Verbose($"The trigger of {run.Cluster} runs detached; Wait-GlobalUpgrade -Id {run.Id} re-attaches to it.");
    }

    private static async Task FollowTriggerAsync(GlobalUpgradeRun run, RemoteTarget target, TimeSpan? timeout, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        using var limit = timeout is { } t ? new CancellationTokenSource(t > TimeSpan.Zero ? t : TimeSpan.FromMilliseconds(1)) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var folder = run.TriggerRunFolder!.TrimEnd('/');
        var root = folder[..folder.LastIndexOf('/')];
        var logPath = run.LogPath ?? store.DefaultLogPath(run.Id);
        run.LogPath = logPath;
        var offset = File.Exists(logPath) ? run.LogOffset : 0;
        DetachedStatus status;
        try
        {
            using var host = await RemoteHost.OpenAsync(target, linked.Token).ConfigureAwait(false);
            OperationLog.Current.Verbose($"Following the trigger of {run.Cluster} (run {run.TriggerRunId} on {target.DisplayName}) from byte {offset}.");
            status = await RunLogFollower.FollowAsync(host, root, run.TriggerRunId!, offset, new RunLogFollower.Options
            {
                Activity = $"Upgrade of {run.Cluster} to {run.ToVersion}: upgrade.sh --skip-sync-image",
                ActivityId = 0x5300 + (int)((uint)StringComparer.Ordinal.GetHashCode(run.Id) % 0xFFF),
                StartedAt = run.StartedAt,
                LocalLogPath = logPath,
                LastLineCount = LastLineCount,
            }, progress =>
            {
                run.LogOffset = offset + progress.Received;
                run.LastLines = progress.LastLines.Length >= LastLineCount ? progress.LastLines : run.LastLines.Concat(progress.LastLines).TakeLast(LastLineCount).ToArray();
                store.Save(run);
            }, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
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
                    $"Check the platform (Get-GlobalUpgradeStatus), then Start-GlobalUpgrade again. Last lines:{Environment.NewLine}{lastLines}", run);
        }
    }

    private static async Task UpgradeComponentsAsync(GlobalUpgradeRun run, ClusterConnection cluster, ComponentUpgradeProfile profile, TimeSpan timeout, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var log = OperationLog.Current;
        var resource = await ClusterVersionShadowDiscovery.ForAsync(cluster, profile, cancellationToken).ConfigureAwait(false);
        var (ns, name) = NameOf(profile);
        var obj = await ReadComponentObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false);
        if (obj is null)
        {
            if (profile.Kind == ComponentUpgradeKind.ClusterModule)
            {
                throw new GlobalUpgradeException(ErrorIds.ComponentObjectNotFound, FailureCategory.ObjectNotFound,
                    $"Cluster '{cluster.Name}' has no {profile.ComponentObject}, so its functional components cannot be upgraded this way. " +
                    "Use the web console (Clusters > global > Functional Components > Upgrade), or name the object with -ComponentProfile @{ ClusterModuleName = '<name>' }.", cluster.Name);
            }

            // The 4.3 trigger installs the Cluster Version Operator: its ClusterVersionShadow may come a little later.
            var appeared = await ResourceWatcher.WaitAsync(cluster, KubeKind.Custom(resource), new ListArgs(ns, null, $"metadata.name={name}"), new WaitCondition
            {
                Description = $"{profile.ComponentObject} to exist",
                IsDone = objects => objects.Count > 0,
            }, Min(timeout, ComponentObjectAppearTimeout), cancellationToken).ConfigureAwait(false);
            obj = appeared.Objects[0];
        }

        var state = ComponentState.Read(obj, profile);
        if (state.AsksFor(run.ToVersion))
        {
            log.Verbose($"[{cluster.Name}] {profile.ComponentObject} already asks for {run.ToVersion}: not writing it again, waiting only.");
        }
        else
        {
            var patch = BuildPatch(obj, profile, run.ToVersion, run.IncludeKubernetes);
            log.Verbose($"[{cluster.Name}] merge-patching {profile.ComponentObject}: {patch.ToJsonString()}");
            await cluster.CallAsync($"patching {profile.ComponentObject}", (client, ct) => ns is null
                ? client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), resource.Group, resource.Version, resource.Plural, name, cancellationToken: ct)
                : client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: ct),
                cancellationToken).ConfigureAwait(false);
            run.ComponentRequestedAt = DateTimeOffset.Now;
            store.Save(run);
        }

        var target = run.ToVersion;
        var done = await ResourceWatcher.WaitAsync(cluster, KubeKind.Custom(resource), new ListArgs(ns, null, $"metadata.name={name}"), new WaitCondition
        {
            Description = profile.Kind == ComponentUpgradeKind.ClusterModule
                ? $"{profile.ComponentObject} to be Completed and Healthy at {target}"
                : $"{profile.ComponentObject} to be Ready at {target}",
            IsDone = objects => objects.Count > 0 && ComponentState.Read(objects[0], profile).IsAt(target),
            DescribeState = objects => objects.Count == 0 ? $"{profile.ComponentObject} is gone" : Describe(ComponentState.Read(objects[0], profile)),
            FailsWith = objects =>
            {
                if (objects.Count == 0)
                {
                    return null;
                }

                var now = ComponentState.Read(objects[0], profile);
                return !now.HasFailedFor(target) ? null : profile.Kind == ComponentUpgradeKind.ClusterModule
                    ? new GlobalUpgradeException(ErrorIds.ComponentUpgradeFailed, FailureCategory.InvalidOperation,
                        $"The functional components of {cluster.Name} did not upgrade to {target}: {profile.ComponentObject} is {now.State}: {now.Reason}. " +
                        "Fix the cause the platform gives, then retry the upgrade from the web console (Functional Components) or contact support.", run)
                    : new GlobalUpgradeException(ErrorIds.ComponentUpgradeStalled, FailureCategory.InvalidOperation,
                        $"The upgrade of {cluster.Name} to {target} stalled: {profile.ComponentObject} {now.Reason}. " +
                        "Fix what the failed checks name; the Cluster Version Operator retries by itself.", run);
            },
        }, timeout, cancellationToken).ConfigureAwait(false);
        var final = ComponentState.Read(done.Objects[0], profile);
        run.Message = $"{profile.ComponentObject} is {final.State} at {target}";
    }

    private static string Describe(ComponentState s) =>
        $"{s.State}, asks for {s.Desired ?? "-"}, runs {s.Current ?? "-"}" + (s.Reason is { Length: > 0 } r ? $" ({r})" : "");

    /// <summary>The merge patch that asks for the target (and Kubernetes, when asked), built from the profile's field paths.</summary>
    public static JsonObject BuildPatch(JsonObject? current, ComponentUpgradeProfile profile, string target, bool includeKubernetes)
    {
        var patch = new JsonObject();
        if (profile.Kind == ComponentUpgradeKind.ClusterModule)
        {
            Set(patch, profile.ClusterModuleVersionField, JsonValue.Create(target));
            if (includeKubernetes)
            {
                // Merge patch replaces arrays: keep the entries already there, replace ours.
                var infos = new JsonArray();
                foreach (var entry in JsonPath.Objects(current, "spec.upgradeModulesInfos"))
                {
                    if (!string.Equals(JsonPath.String(entry, "name"), profile.KubernetesModuleName, StringComparison.Ordinal))
                    {
                        infos.Add(entry.DeepClone());
                    }
                }

                infos.Add(new JsonObject { ["name"] = profile.KubernetesModuleName, ["version"] = profile.KubernetesVersion ?? target });
                Set(patch, "spec.upgradeModulesInfos", infos);
            }
        }
        else
        {
            Set(patch, profile.ClusterVersionShadowVersionField, JsonValue.Create(target));
            if (includeKubernetes)
            {
                Set(patch, profile.ClusterVersionShadowKubernetesField, JsonValue.Create(true));
            }
        }

        return patch;
    }

    internal static async Task<JsonObject?> ReadComponentObjectAsync(ClusterConnection cluster, ComponentUpgradeProfile profile, CancellationToken cancellationToken)
    {
        var (ns, name) = NameOf(profile);
        return await cluster.GetAsync(await ClusterVersionShadowDiscovery.ForAsync(cluster, profile, cancellationToken).ConfigureAwait(false), ns, name, cancellationToken).ConfigureAwait(false);
    }

    private static (string? Namespace, string Name) NameOf(ComponentUpgradeProfile profile) =>
        profile.Kind == ComponentUpgradeKind.ClusterModule ? (null, profile.ClusterModuleName) : (profile.ClusterVersionShadowNamespace, profile.ClusterVersionShadowName);

    private static void Set(JsonObject root, string dottedPath, JsonNode? value)
    {
        var parts = dottedPath.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = new JsonObject();
                node[part] = child;
            }

            node = child;
        }

        node[parts[^1]] = value;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>The version in a package identity ("version=v4.3.0 package=… upgrade.sh-sha256=…"); null when unknown.</summary>
    public static string? PackageVersion(string identity)
    {
        var match = VersionPattern().Match(identity);
        return match.Success && match.Groups[1].Value != "unknown" ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"(?:^|\s)version=(\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
