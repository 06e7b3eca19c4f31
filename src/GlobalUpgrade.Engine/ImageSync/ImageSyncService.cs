using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.ImageSync;

public sealed record ImageSyncRequest
{
    public required RemoteTarget Target { get; init; }

    public required string Cluster { get; init; }

    /// <summary>The extracted package folder on the node (holds upgrade.sh).</summary>
    public required string PackagePath { get; init; }

    /// <summary>An external registry; null syncs to the platform's built-in registry.</summary>
    public string? Registry { get; init; }

    public NetworkCredential? RegistryCredential { get; init; }

    /// <summary>The local copy of the log; default in the state folder.</summary>
    public string? LogPath { get; init; }

    /// <summary>Where the run folders live on the node.</summary>
    public string RunRoot { get; init; } = DetachedRun.DefaultRoot;
}

public sealed record FollowOptions
{
    public static readonly string DefaultProgressPattern = @"(\d+)\s*/\s*(\d+)";

    public string ProgressPattern { get; init; } = DefaultProgressPattern;

    public TimeSpan? Timeout { get; init; }

    /// <summary>Values masked in everything shown or saved (known only while the starting cmdlet runs).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>Image sync: <c>bash upgrade.sh --only-sync-image=true</c> run detached on a node, recorded locally, followed.</summary>
public static class ImageSyncService
{
    public const int LastLineCount = 20;
    internal const string PasswordVariable = "GU_REGISTRY_PASSWORD";

    /// <summary>Checks the package, starts the sync detached and records it (State Running).</summary>
    public static async Task<ImageSyncRun> StartAsync(ImageSyncRequest request, ImageSyncStore store, CancellationToken cancellationToken)
    {
        var target = request.Target;
        var packagePath = ImageSyncLedger.NormalizePath(request.PackagePath);
        using var host = await RemoteHost.OpenAsync(target, cancellationToken).ConfigureAwait(false);

        var command = new StringBuilder("bash upgrade.sh --only-sync-image=true");
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

        var id = DetachedRun.NewId();
        var run = new ImageSyncRun
        {
            Id = id,
            Cluster = request.Cluster,
            ComputerName = target.IsLocal ? Environment.MachineName : target.ComputerName!,
            Transport = target.IsLocal ? "Local" : "Ssh",
            Port = target.Port,
            UserName = target.IsLocal ? Environment.UserName : target.EffectiveUserName,
            PackagePath = packagePath,

            Registry = string.IsNullOrEmpty(request.Registry) ? null : request.Registry,
            State = ImageSyncState.Running,
            StartedAt = DateTimeOffset.Now,
            LogPath = request.LogPath ?? store.DefaultLogPath(id),
            RunFolder = DetachedRun.Folder(request.RunRoot, id),
            KeyFilePath = target.KeyFilePath,
            KnownHostsPath = target.KnownHostsPath,
            HostKeyFingerprint = target.HostKeyFingerprint,
        };

        // One command checks the package (nothing is created when it is not usable) and starts the run.
        OperationLog.Current.Verbose($"Checking {packagePath}/upgrade.sh on {target.DisplayName}, then starting there: {shown} (run {id}, run folder {run.RunFolder}).");
        run.PackageIdentity = (await DetachedRun.StartAsync(host, request.RunRoot, id, packagePath, command.ToString(), secrets, cancellationToken,
            PackageCheck(packagePath), code => PackageCheckFailure(code, packagePath, target.DisplayName)).ConfigureAwait(false)).Trim();
        store.Save(run);
        OperationLog.Current.Verbose($"Run {id} is running detached on {target.DisplayName}; Wait-GlobalImageSync -Id {id} re-attaches to it.");
        return run;
    }

    /// <summary>
    /// What identifies a package: the first line of its 'version' file (when present), the package folder's name
    /// and the SHA-256 of upgrade.sh. Fails before anything runs when the folder or upgrade.sh is missing.
    /// </summary>
    public static async Task<string> ReadPackageIdentityAsync(IRemoteHost host, string packagePath, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"Checking {packagePath}/upgrade.sh on {host.Target.DisplayName}.");
        var (exitCode, output, error) = await host.RunAsync(PackageCheck(packagePath), cancellationToken).ConfigureAwait(false);
        return exitCode == 0
            ? output.Trim()
            : throw PackageCheckFailure(exitCode, packagePath, host.Target.DisplayName) ?? new GlobalUpgradeException(ErrorIds.RemoteCommandFailed, FailureCategory.InvalidOperation,
                $"Could not check the package '{packagePath}' on {host.Target.DisplayName} (exit code {exitCode}): {error.Trim()}", packagePath);
    }

    private static string PackageCheck(string packagePath) => $$"""
        cd -- {{RemoteHost.Quote(packagePath)}} 2>/dev/null || exit 93
        [ -f upgrade.sh ] || exit 94
        v=$( [ -f version ] && head -n 1 version | head -c 100 || true)
        echo "version=${v:-unknown} package=$(basename "$PWD") upgrade.sh-sha256=$(sha256sum upgrade.sh | cut -c1-64)"
        """;

    private static GlobalUpgradeException? PackageCheckFailure(int exitCode, string packagePath, string where) => exitCode switch
    {
        93 => new GlobalUpgradeException(ErrorIds.PackagePathNotFound, FailureCategory.ObjectNotFound,
            $"The package folder '{packagePath}' does not exist on {where}. Copy the upgrade package to the node, extract it, and pass the extracted folder as -PackagePath.", packagePath),
        94 => new GlobalUpgradeException(ErrorIds.UpgradeScriptNotFound, FailureCategory.ObjectNotFound,
            $"'{packagePath}' on {where} has no upgrade.sh: -PackagePath must be the extracted upgrade package folder (the one holding upgrade.sh). Nothing was started.", packagePath),
        _ => null,
    };

    /// <summary>
    /// Re-attaches to a run: streams its log from where the local copy stopped, reports progress, and returns the
    /// final record; a failed or lost run throws ImageSyncFailed/ImageSyncLost with the last log lines. Ctrl+C and
    /// a timeout stop the following only — the run goes on on the node.
    /// </summary>
    public static async Task<ImageSyncRun> FollowAsync(ImageSyncRun run, RemoteTarget target, FollowOptions options, ImageSyncStore store, CancellationToken cancellationToken)
    {
        using var timeout = options.Timeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;
        var root = RunRoot(run);
        var logPath = run.LogPath ?? store.DefaultLogPath(run.Id);
        run.LogPath = logPath;
        var offset = File.Exists(logPath) ? run.LogOffset : 0;
        if (!File.Exists(logPath))
        {
            run.LogOffset = 0;
        }

        var activity = $"Image sync of {run.Cluster} on {run.ComputerName}";
        var activityId = 0x5100 + (int)((uint)StringComparer.Ordinal.GetHashCode(run.Id) % 0xFFF);
        var pattern = new Regex(options.ProgressPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var log = OperationLog.Current;
        DetachedStatus status;
        using (var sink = new LogSink(logPath, options.Secrets))
        {
            using var host = await RemoteHost.OpenAsync(target, token).ConfigureAwait(false);
            log.Verbose($"Following run {run.Id} on {target.DisplayName} from byte {offset} of {run.RunFolder}/log (local copy {logPath}).");
            using var stopReporting = new CancellationTokenSource();
            var reporter = ReportProgressAsync(run, sink, pattern, activity, activityId, options.ProgressInterval, log, stopReporting.Token);
            try
            {
                status = await DetachedRun.FollowAsync(host, root, run.Id, offset, sink, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or GlobalUpgradeException)
            {
                sink.Complete();
                run.LogOffset = offset + sink.Received;
                run.LastLines = Merge(run.LastLines, sink.LastLines(LastLineCount));
                store.Save(run);
                log.Progress(new OperationProgress(activityId, activity, "Detached", Completed: true));
                if (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new GlobalUpgradeException(ErrorIds.ImageSyncTimeout, FailureCategory.OperationTimeout,
                        $"Run {run.Id} on {run.ComputerName} did not end within {options.Timeout}. It goes on on the node; Wait-GlobalImageSync -Id {run.Id} re-attaches.", run);
                }

                if (ex is GlobalUpgradeException { ErrorId: ErrorIds.RemoteSessionLost } lost)
                {
                    throw new GlobalUpgradeException(ErrorIds.RemoteSessionLost, FailureCategory.ConnectionError,
                        $"{lost.Message}. The image sync (run {run.Id}) goes on on the node; re-attach with Wait-GlobalImageSync -Id {run.Id}.", run, lost);
                }

                log.Verbose($"Stopped following run {run.Id}; it goes on on {run.ComputerName}. Wait-GlobalImageSync -Id {run.Id} re-attaches.");
                throw;
            }
            finally
            {
                await stopReporting.CancelAsync().ConfigureAwait(false);
                await reporter.ConfigureAwait(false);
            }

            sink.Complete();
            run.LogOffset = offset + sink.Received;
            run.LastLines = Merge(run.LastLines, sink.LastLines(LastLineCount));
        }

        if (status.State == DetachedState.Running)
        {
            // The log ended but the wrapper still runs (tail stopped early): report what we know.
            store.Save(run);
            return run;
        }

        run.State = status.State switch
        {
            DetachedState.Exited when status.ExitCode == 0 => ImageSyncState.Succeeded,
            DetachedState.Exited => ImageSyncState.Failed,
            _ => ImageSyncState.Lost,
        };
        run.ExitCode = status.ExitCode;
        run.FinishedAt = DateTimeOffset.Now;
        store.Save(run);
        log.Progress(new OperationProgress(activityId, activity, run.State.ToString(), 100, Completed: true));
        log.Verbose($"Run {run.Id} on {run.ComputerName}: {run.State}{(run.ExitCode is { } c ? $" (exit code {c})" : "")}; log saved to {logPath}.");
        return run.State switch
        {
            ImageSyncState.Succeeded => run,
            ImageSyncState.Failed => throw new GlobalUpgradeException(ErrorIds.ImageSyncFailed, FailureCategory.InvalidOperation,
                $"The image sync of {run.Cluster} (upgrade.sh --only-sync-image in {run.PackagePath} on {run.ComputerName}, run {run.Id}) failed with exit code {run.ExitCode}. " +
                $"Full log: {logPath}. Last lines:{Environment.NewLine}{string.Join(Environment.NewLine, run.LastLines)}", run),
            _ => throw new GlobalUpgradeException(ErrorIds.ImageSyncLost, FailureCategory.ResourceUnavailable,
                $"The image sync of {run.Cluster} (run {run.Id}) is gone from {run.ComputerName} without an exit code: the process was killed or the node restarted. " +
                $"Run Invoke-GlobalImageSync again. Last lines:{Environment.NewLine}{string.Join(Environment.NewLine, run.LastLines)}", run),
        };
    }

    /// <summary>The target recorded with a run (no password: pass the credential again for password logins).</summary>
    public static RemoteTarget TargetOf(ImageSyncRun run, NetworkCredential? credential = null) =>
        RemoteTarget.FromRecord(run.Transport, run.ComputerName, run.Port, run.UserName, run.KeyFilePath, run.KnownHostsPath, run.HostKeyFingerprint, credential);

    private static string RunRoot(ImageSyncRun run)
    {
        var folder = run.RunFolder.TrimEnd('/');
        var slash = folder.LastIndexOf('/');
        if (slash <= 0 || !string.Equals(folder[(slash + 1)..], run.Id, StringComparison.Ordinal))
        {
            throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, $"The record of run {run.Id} has an unexpected run folder '{run.RunFolder}'.", run.Id);
        }

        return folder[..slash];
    }

    private static string[] Merge(string[] earlier, string[] latest) =>
        latest.Length >= LastLineCount ? latest : earlier.Concat(latest).TakeLast(LastLineCount).ToArray();

    private static async Task ReportProgressAsync(ImageSyncRun run, LogSink sink, Regex pattern, string activity, int activityId, TimeSpan interval, IOperationLog log, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var lines = sink.LastLines(LastLineCount);
                var latest = lines.Length > 0 ? lines[^1] : "waiting for output";
                var percent = -1;
                for (var i = lines.Length - 1; i >= 0 && percent < 0; i--)
                {
                    var match = pattern.Match(lines[i]);
                    if (match.Success && match.Groups.Count >= 3
                        && double.TryParse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var done)
                        && double.TryParse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture, out var total) && total > 0)
                    {
                        percent = (int)Math.Clamp(done * 100 / total, 0, 100);
                    }
                }

                log.Progress(new OperationProgress(activityId, activity, latest.Length > 200 ? latest[..200] : latest, percent,
                    $"run {run.Id}", Elapsed: DateTimeOffset.Now - run.StartedAt));
                await Task.Delay(interval, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RegexMatchTimeoutException)
        {
        }
    }
}
