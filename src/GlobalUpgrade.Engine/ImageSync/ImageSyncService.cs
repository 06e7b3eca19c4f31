using System.Net;
using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.ImageSync;

/// <summary>
/// Image sync: <c>bash upgrade.sh --only-sync-image[=true]</c> (as the package's line spells it) run detached on a node, recorded locally, followed.
/// Record, then act: <see cref="Record"/> saves the run (State Starting) before anything runs, so a caller can note
/// its id (a runbook journal) first; <see cref="LaunchAsync"/> starts it unless the node shows it started already
/// (State Running); <see cref="FollowAsync"/> follows it to its end. A kill anywhere in between never starts a
/// second sync and never leaves a run that is re-attached to forever.
/// </summary>
public static class ImageSyncService
{
    public const int LastLineCount = RunFollower.LastLineCount;
    internal const string PasswordVariable = "GU_REGISTRY_PASSWORD";

    /// <summary>
    /// Records, checks the package, starts the sync detached; returns it Running. Nothing is recorded when it could
    /// not start. A run of the same package for the same cluster and node whose start was interrupted (still Starting)
    /// is taken up instead of recording another, so asking again never starts a second sync.
    /// </summary>
    /// <param name="sessions">Connections shared with the following of the run (one login for both); null opens one for this call.</param>
    public static async Task<ImageSyncRun> StartAsync(ImageSyncRequest request, ImageSyncStore store, CancellationToken cancellationToken, RemoteSessions? sessions = null)
    {
        // Stopped before anything was asked: nothing is recorded.
        cancellationToken.ThrowIfCancellationRequested();
        using var host = await RemoteSessions.OpenAsync(sessions, request.Target, cancellationToken).ConfigureAwait(false);
        var run = RecordOrTakeUp(request, store);
        return await LaunchAsync(run, request, host, store, cancellationToken).ConfigureAwait(false);
    }

    private static ImageSyncRun? Interrupted(ImageSyncRequest request, ImageSyncStore store)
    {
        var probe = new ImageSyncRun();
        request.Target.RecordInto(probe);
        var packagePath = ImageSyncLedger.NormalizePath(request.PackagePath);
        var run = store.List().FirstOrDefault(r => r.State == ImageSyncState.Starting
            && string.Equals(r.Cluster, request.Cluster, StringComparison.OrdinalIgnoreCase)
            && string.Equals(r.PackagePath, packagePath, StringComparison.Ordinal)
            && string.Equals(r.ComputerName, probe.ComputerName, StringComparison.OrdinalIgnoreCase) && r.Port == probe.Port
            && string.Equals(r.RunFolder, DetachedRun.Folder(request.RunRoot, r.Id), StringComparison.Ordinal));
        if (run is not null)
        {
            OperationLog.Current.Verbose($"Run {run.Id} of {packagePath} for {run.Cluster} was recorded but its start was interrupted: taking it up instead of starting another.");
        }

        return run;
    }

    /// <summary>
    /// A run of this request whose start was interrupted (still Starting, e.g. killed between the record and the
    /// caller's journal), else a new record: asking again never records a second sync.
    /// </summary>
    public static ImageSyncRun RecordOrTakeUp(ImageSyncRequest request, ImageSyncStore store) => Interrupted(request, store) ?? Record(request, store);

    /// <summary>Saves a new run in State Starting; nothing is asked of the node yet.</summary>
    public static ImageSyncRun Record(ImageSyncRequest request, ImageSyncStore store)
    {
        var id = DetachedRun.NewId();
        var run = new ImageSyncRun
        {
            Id = id,
            Cluster = request.Cluster,
            PackagePath = ImageSyncLedger.NormalizePath(request.PackagePath),
            Registry = string.IsNullOrEmpty(request.Registry) ? null : request.Registry,
            State = ImageSyncState.Starting,
            StartedAt = DateTimeOffset.Now,
            // On this machine the run's own log is the log (a copy of it would be the same bytes twice); from a node it is
            // copied here unless the request follows it by its tail only (then the record names the node's log).
            LogPath = request.LogPath ?? (request.Target.IsLocal || !request.CopyLog ? DetachedRun.LogOf(DetachedRun.Folder(request.RunRoot, id)) : store.DefaultLogPath(id)),
            RunFolder = DetachedRun.Folder(request.RunRoot, id),
        };
        request.Target.RecordInto(run);
        store.Save(run);
        return run;
    }

    /// <summary>
    /// Starts a recorded run that is Starting, unless its run folder shows it started already (then it is only marked
    /// Running); any other run is returned as it is. <paramref name="request"/> supplies the registry credential,
    /// which is never recorded.
    /// </summary>
    public static async Task<ImageSyncRun> LaunchAsync(ImageSyncRun run, ImageSyncRequest request, ImageSyncStore store, CancellationToken cancellationToken, RemoteSessions? sessions = null)
    {
        if (run.State != ImageSyncState.Starting)
        {
            return run;
        }

        using var host = await RemoteSessions.OpenAsync(sessions, request.Target, cancellationToken).ConfigureAwait(false);
        return await LaunchAsync(run, request, host, store, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ImageSyncRun> LaunchAsync(ImageSyncRun run, ImageSyncRequest request, IRemoteHost host, ImageSyncStore store, CancellationToken cancellationToken)
    {
        var root = DetachedRun.RootOf(run.RunFolder, run.Id);
        var where = host.Target.DisplayName;
        string flag;
        try
        {
            // The flag is spelled as the package's line documents it (UpgradeScriptFlags.ImageSyncOf).
            flag = UpgradeScriptFlags.ImageSyncOf(PackageVersion.FromIdentity(await UpgradePackage.ReadIdentityAsync(host, run.PackagePath, cancellationToken).ConfigureAwait(false)));
        }
        catch (GlobalUpgradeException ex) when (ex.ErrorId is ErrorIds.PackagePathNotFound or ErrorIds.UpgradeScriptNotFound)
        {
            // Nothing was created: there is no run to remember.
            store.Delete(run.Id);
            throw;
        }

        var (command, shown, secrets) = Command(request, flag);

        if (!string.IsNullOrEmpty(request.Registry) && request.RegistryCredential is null)
        {
            await RequireRegistryAdminSecretAsync(run, host, store, cancellationToken).ConfigureAwait(false);
        }

        if (request.SkipCheckArtifacts)
        {
            await UpgradeScriptFlags.RequireAsync(host, run.PackagePath, UpgradeScriptFlags.SkipCheckArtifacts, "-SkipCheckArtifacts", () => store.Delete(run.Id), cancellationToken).ConfigureAwait(false);
        }

        // One command checks the package (nothing is created when it is not usable) and starts the run.
        OperationLog.Current.Verbose($"Checking {run.PackagePath}/upgrade.sh on {where}, then starting there: {shown} (run {run.Id}, run folder {run.RunFolder}).");
        string? identity;
        try
        {
            identity = await DetachedRun.StartOnceAsync(host, root, run.Id, run.PackagePath, command, secrets, cancellationToken,
                UpgradePackage.Check(run.PackagePath), code => UpgradePackage.CheckFailure(code, run.PackagePath, where)).ConfigureAwait(false);
        }
        catch (GlobalUpgradeException ex) when (ex.ErrorId is ErrorIds.PackagePathNotFound or ErrorIds.UpgradeScriptNotFound)
        {
            // The check failed before anything was created: there is no run to remember.
            store.Delete(run.Id);
            throw;
        }

        if (identity is null)
        {
            OperationLog.Current.Verbose($"Run {run.Id} had started on {where} before (its start was interrupted after launching): not starting it again.");
            identity = await UpgradePackage.ReadIdentityAsync(host, run.PackagePath, cancellationToken).ConfigureAwait(false);
        }

        run.PackageIdentity = identity.Trim();
        run.State = ImageSyncState.Running;
        store.Save(run);
        OperationLog.Current.Verbose($"Run {run.Id} is running detached on {where}; Wait-GlobalImageSync -Id {run.Id} re-attaches to it.");
        return run;
    }

    /// <summary>
    /// -Registry without a credential: upgrade.sh of 4.3 and later reads the registry's credentials from the
    /// <c>cpaas-system/registry-admin</c> Secret when --username/--password are omitted (docs/en/upgrade/
    /// upgrade_global_cluster.mdx, release-4.3, "Image upload required but credentials omitted"); earlier ones need
    /// them on the command line (same file, release-4.2). Asks the package's version file; nothing starts otherwise.
    /// </summary>
    private static async Task RequireRegistryAdminSecretAsync(ImageSyncRun run, IRemoteHost host, ImageSyncStore store, CancellationToken cancellationToken)
    {
        var identity = await UpgradePackage.ReadIdentityAsync(host, run.PackagePath, cancellationToken).ConfigureAwait(false);
        var version = identity.Split(' ').FirstOrDefault(f => f.StartsWith("version=", StringComparison.Ordinal))?["version=".Length..];
        if (PlatformLine.Of(version)?.ReadsRegistryCredentialsFromSecret == true)
        {
            return;
        }

        store.Delete(run.Id);
        throw new GlobalUpgradeException(ErrorIds.RegistryCredentialMissing, FailureCategory.InvalidArgument,
            $"-Registry needs -RegistryCredential for the package in {run.PackagePath} (version '{version}'): only upgrade.sh of 4.3 and later reads the credentials " +
            "from the cpaas-system/registry-admin Secret by itself. Pass -RegistryCredential. Nothing was started.", run.PackagePath);
    }

    private static (string Command, string Shown, Dictionary<string, string> Secrets) Command(ImageSyncRequest request, string imageSyncFlag)
    {
        var command = new StringBuilder($"bash upgrade.sh {imageSyncFlag}");
        if (request.SkipCheckArtifacts)
        {
            command.Append(' ').Append(UpgradeScriptFlags.SkipCheckArtifacts);
        }

        var shown = new StringBuilder(command.ToString());
        var secrets = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(request.Registry))
        {
            var registryPart = $" --registry {RemoteHost.Quote(request.Registry)}";
            command.Append(registryPart);
            shown.Append(registryPart);
            if (request.RegistryCredential is { } credential)
            {
                var userPart = $" --username {RemoteHost.Quote(credential.UserName)}";
                command.Append(userPart).Append($" --password \"${PasswordVariable}\"");
                shown.Append(userPart).Append(" --password ").Append(LogSink.Mask);
                secrets[PasswordVariable] = credential.Password;
            }
        }

        return (command.ToString(), shown.ToString(), secrets);
    }

    /// <summary>What identifies a package (see <see cref="UpgradePackage"/>).</summary>
    public static Task<string> ReadPackageIdentityAsync(IRemoteHost host, string packagePath, CancellationToken cancellationToken) =>
        UpgradePackage.ReadIdentityAsync(host, packagePath, cancellationToken);

    /// <summary>
    /// Re-attaches to a run: streams its log from where the local copy stopped, reports progress, and returns the
    /// final record; a failed or lost run throws ImageSyncFailed/ImageSyncLost with the last log lines. Ctrl+C and
    /// a timeout stop the following only — the run goes on on the node. A run still Starting is followed when the
    /// node shows it started, and is Lost ("never started") otherwise.
    /// </summary>
    public static async Task<ImageSyncRun> FollowAsync(ImageSyncRun run, RemoteTarget target, FollowOptions options, ImageSyncStore store, CancellationToken cancellationToken, RemoteSessions? sessions = null)
    {
        DetachedStatus status;
        try
        {
            status = await RunFollower.FollowAsync(run, target, new RunFollower.Options
            {
                Activity = $"Image sync of {run.Cluster} on {run.ComputerName}",
                ActivityBase = 0x5100,
                RunFolder = DetachedRun.Folder(DetachedRun.RootOf(run.RunFolder, run.Id), run.Id),
                DefaultLogPath = store.DefaultLogPath(run.Id),
                Progress = new ImageSyncProgress(options.ProgressPattern),
                Secrets = options.Secrets,
                Timeout = options.Timeout,
                ProgressInterval = options.ProgressInterval,
            }, _ => store.Save(run), cancellationToken, sessions).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new GlobalUpgradeException(ErrorIds.ImageSyncTimeout, FailureCategory.OperationTimeout,
                $"Run {run.Id} on {run.ComputerName} did not end within {options.Timeout}. It goes on on the node; Wait-GlobalImageSync -Id {run.Id} re-attaches.", run);
        }
        catch (GlobalUpgradeException lost) when (lost.ErrorId == ErrorIds.RemoteSessionLost)
        {
            throw new GlobalUpgradeException(ErrorIds.RemoteSessionLost, FailureCategory.ConnectionError,
                $"{lost.Message}. The image sync (run {run.Id}) goes on on the node; re-attach with Wait-GlobalImageSync -Id {run.Id}.", run, lost);
        }
        catch (OperationCanceledException)
        {
            OperationLog.Current.Verbose($"Stopped following run {run.Id}; it goes on on {run.ComputerName}. Wait-GlobalImageSync -Id {run.Id} re-attaches.");
            throw;
        }

        if (status.State == DetachedState.Running)
        {
            // The log ended but the wrapper still runs (tail stopped early): report what we know.
            run.State = ImageSyncState.Running;
            store.Save(run);
            return run;
        }

        var neverStarted = status.State is DetachedState.Missing or DetachedState.NotStarted;
        run.State = status.State switch
        {
            DetachedState.Exited when status.ExitCode == 0 => ImageSyncState.Succeeded,
            DetachedState.Exited => ImageSyncState.Failed,
            _ => ImageSyncState.Lost,
        };
        run.ExitCode = status.ExitCode;
        run.FinishedAt = DateTimeOffset.Now;
        store.Save(run);
        OperationLog.Current.Verbose($"Run {run.Id} on {run.ComputerName}: {run.State}{(run.ExitCode is { } c ? $" (exit code {c})" : "")}; log: {run.LogPath}.");
        var lastLines = string.Join(Environment.NewLine, run.LastLines);
        var fullLog = run.Transport != "Local" && string.Equals(run.LogPath, DetachedRun.LogOf(run.RunFolder), StringComparison.Ordinal)
            ? $"{run.LogPath} on {run.ComputerName}"
            : run.LogPath;
        return run.State switch
        {
            ImageSyncState.Succeeded => run,
            ImageSyncState.Failed => throw new GlobalUpgradeException(ErrorIds.ImageSyncFailed, FailureCategory.InvalidOperation,
                $"The image sync of {run.Cluster} (upgrade.sh --only-sync-image in {run.PackagePath} on {run.ComputerName}, run {run.Id}) failed with exit code {run.ExitCode}. " +
                $"Full log: {fullLog}. Last lines:{Environment.NewLine}{lastLines}", run),
            _ when neverStarted => throw new GlobalUpgradeException(ErrorIds.ImageSyncLost, FailureCategory.ResourceUnavailable,
                $"The image sync of {run.Cluster} (run {run.Id}) never started on {run.ComputerName}: its start was interrupted before upgrade.sh ran. " +
                "Nothing was synced; run Invoke-GlobalImageSync again (or -Resume the runbook that started it).", run),
            _ => throw new GlobalUpgradeException(ErrorIds.ImageSyncLost, FailureCategory.ResourceUnavailable,
                $"The image sync of {run.Cluster} (run {run.Id}) is gone from {run.ComputerName} without an exit code: the process was killed or the node restarted. " +
                $"Run Invoke-GlobalImageSync again (or -Resume the runbook that started it). Last lines:{Environment.NewLine}{lastLines}", run),
        };
    }

    /// <summary>The target recorded with a run (no password: pass the credential again for password logins).</summary>
    public static RemoteTarget TargetOf(ImageSyncRun run, NetworkCredential? credential = null) => RemoteTarget.FromRecord(run, credential);
}
