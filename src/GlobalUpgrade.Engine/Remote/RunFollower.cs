using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Remote;

/// <summary>
/// The one way to follow a detached run, attached or re-attached: streams the node's log from where the local copy
/// stopped into that copy (secrets masked) — or, when the record names the run's own log, reads only its tail
/// (in place here, over SSH from a node) — reports progress (the latest line, the percentage the kind's parser
/// reads, the elapsed time), keeps the record's offset and last lines current — saved whenever the following
/// stops — and returns the status the run reports. Cancelling or a timeout stops the following only, never the run.
/// </summary>
public static class RunFollower
{
    public const int LastLineCount = 20;

    public sealed record Options
    {
        /// <summary>The progress activity, e.g. "Image sync of global on node1".</summary>
        public required string Activity { get; init; }

        /// <summary>Progress ids of this kind are ActivityBase + a hash of the run id (several runs followed at once).</summary>
        public required int ActivityBase { get; init; }

        /// <summary>The run folder on the node, as recorded.</summary>
        public required string RunFolder { get; init; }

        /// <summary>The local copy of the log when the record names none.</summary>
        public required string DefaultLogPath { get; init; }

        public IRunProgressParser? Progress { get; init; }

        /// <summary>Values masked in the local copy and the last lines (the node masks them too, when it knows them).</summary>
        public IReadOnlyList<string> Secrets { get; init; } = [];

        /// <summary>Stop following after this long (then <see cref="TimeoutException"/>); null: to the end.</summary>
        public TimeSpan? Timeout { get; init; }

        public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    }

    /// <summary>Follows <paramref name="run"/> on <paramref name="target"/> until it ends; <paramref name="save"/> is called with the record whenever the following stops.</summary>
    /// <param name="sessions">The connection that started the run, to follow it without a second login; null opens one.</param>
    /// <exception cref="TimeoutException">The run did not end within <see cref="Options.Timeout"/>; it goes on on the node.</exception>
    public static async Task<DetachedStatus> FollowAsync(RecordedRun run, RemoteTarget target, Options options, Action<RecordedRun> save, CancellationToken cancellationToken, RemoteSessions? sessions = null)
    {
        var (root, id) = DetachedRun.Split(options.RunFolder);
        using var timeout = options.Timeout is { } limit ? new CancellationTokenSource(limit > TimeSpan.Zero ? limit : TimeSpan.FromMilliseconds(1)) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var logPath = run.LogPath ??= options.DefaultLogPath;

        // A record that names the run's own log (in its run folder) is followed without a copy: read in place on this
        // machine, by its tail over SSH. Any other log path is a local copy, streamed from the node.
        var runLog = DetachedRun.LogOf(options.RunFolder);
        var tailOnly = target.IsLocal
            ? string.Equals(Path.GetFullPath(logPath), Path.GetFullPath(runLog), StringComparison.Ordinal)
            : string.Equals(logPath, runLog, StringComparison.Ordinal);

        // A local copy that is gone is copied again from the start.
        var offset = tailOnly || File.Exists(logPath) ? run.LogOffset : 0;
        run.LogOffset = offset;
        var activityId = options.ActivityBase + (int)((uint)StringComparer.Ordinal.GetHashCode(run.Id) % 0xFFF);
        var log = OperationLog.Current;
        var ended = "Detached";
        using var sink = new LogSink(tailOnly ? null : logPath, options.Secrets);
        using var stopReporting = new CancellationTokenSource();
        var reporter = ReportAsync(run, sink, options, activityId, log, stopReporting.Token);
        try
        {
            using var host = await RemoteSessions.OpenAsync(sessions, target, linked.Token).ConfigureAwait(false);
            DetachedStatus status;
            if (tailOnly && target.IsLocal)
            {
                log.Verbose($"Following run {id} on this machine in its own log {logPath} (no copy).");
                status = await WatchInPlaceAsync(host, root, id, logPath, offset, sink, options.ProgressInterval, linked.Token).ConfigureAwait(false);
            }
            else if (tailOnly)
            {
                log.Verbose($"Following run {id} on {target.DisplayName} by the tail of its log {logPath} there (no copy).");
                status = await DetachedRun.WatchTailAsync(host, root, id, offset, sink, options.ProgressInterval, linked.Token).ConfigureAwait(false);
            }
            else
            {
                log.Verbose($"Following run {id} on {target.DisplayName} from byte {offset} of {options.RunFolder}/log (local copy {logPath}).");
                status = await DetachedRun.FollowAsync(host, root, id, offset, sink, linked.Token).ConfigureAwait(false);
            }

            ended = status.State.ToString();
            return status;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Run {run.Id} on {run.ComputerName} did not end within {options.Timeout}", ex);
        }
        finally
        {
            await stopReporting.CancelAsync().ConfigureAwait(false);
            await reporter.ConfigureAwait(false);
            sink.Complete();
            run.LogOffset = offset + sink.Received;
            var latest = sink.LastLines(LastLineCount);
            run.LastLines = latest.Length >= LastLineCount ? latest : run.LastLines.Concat(latest).TakeLast(LastLineCount).ToArray();
            save(run);
            log.Progress(new OperationProgress(activityId, options.Activity, ended, Completed: true));
        }
    }

    /// <summary>
    /// A run on this machine whose record names the run's own log: nothing is copied or streamed — the follower reads
    /// only the last few KB of the log (progress, last lines) and asks the run folder for the end, so following costs
    /// the same whatever the log's size.
    /// </summary>
    private static async Task<DetachedStatus> WatchInPlaceAsync(IRemoteHost host, string root, string id, string logPath, long offset, LogSink sink, TimeSpan interval, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(logPath)!;
        var exitFile = Path.Combine(folder, "exit");
        var tick = interval < TimeSpan.FromMilliseconds(100) ? interval : TimeSpan.FromMilliseconds(100);
        using var exitWritten = ExitWatcher.Start(folder);
        var nextStatus = DateTime.UtcNow;
        var nextSample = DateTime.UtcNow;
        while (true)
        {
            var ended = File.Exists(exitFile);
            if (ended || DateTime.UtcNow >= nextStatus)
            {
                // The wrapper's state (running, exited, lost) has one reader: the same script as over SSH.
                var status = await DetachedRun.GetStatusAsync(host, root, id, cancellationToken).ConfigureAwait(false);
                if (status.State != DetachedState.Running)
                {
                    Sample(logPath, offset, sink);
                    return status;
                }

                nextStatus = DateTime.UtcNow.AddSeconds(2);
            }

            if (DateTime.UtcNow >= nextSample)
            {
                Sample(logPath, offset, sink);
                nextSample = DateTime.UtcNow + interval;
            }

            await exitWritten.WaitAsync(tick, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Wakes the in-place watcher the moment the wrapper writes the run's exit file (it renames it into place), instead
    /// of at its next tick. Without inotify (no watches left) it only waits the tick: the watcher polls anyway.
    /// </summary>
    private sealed class ExitWatcher : IDisposable
    {
        private readonly FileSystemWatcher? watcher;
        private readonly SemaphoreSlim written = new(0, 1);

        private ExitWatcher(string folder)
        {
            try
            {
                watcher = new FileSystemWatcher(folder) { NotifyFilter = NotifyFilters.FileName };
                watcher.Created += (_, e) => Notice(e.Name);
                watcher.Renamed += (_, e) => Notice(e.Name);
                watcher.EnableRaisingEvents = true;
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                watcher?.Dispose();
                watcher = null;
            }
        }

        public static ExitWatcher Start(string folder) => new(folder);

        public async Task WaitAsync(TimeSpan tick, CancellationToken cancellationToken) =>
            await written.WaitAsync(tick, cancellationToken).ConfigureAwait(false);

        private void Notice(string? name)
        {
            if (name == "exit" && written.CurrentCount == 0)
            {
                try
                {
                    written.Release();
                }
                catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
                {
                    // Already signalled, or the following has ended: nothing to wake.
                }
            }
        }

        public void Dispose()
        {
            watcher?.Dispose();
            written.Dispose();
        }
    }

    private static void Sample(string logPath, long offset, LogSink sink)
    {
        // A start that never ran has no log (its folder may be gone): nothing to show.
        if (!File.Exists(logPath))
        {
            return;
        }

        using var file = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        var length = file.Length;
        var from = Math.Max(offset, length - LogSink.TailCapacity);
        var tail = new byte[length - from];
        file.Position = from;
        file.ReadExactly(tail);
        sink.ShowTail(tail, length - offset);
    }

    private static async Task ReportAsync(RecordedRun run, LogSink sink, Options options, int activityId, IOperationLog log, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var lines = sink.LastLines(LastLineCount);
                var latest = lines.Length > 0 ? lines[^1] : "waiting for output";
                var percent = options.Progress?.PercentComplete(lines) ?? -1;
                log.Progress(new OperationProgress(activityId, options.Activity, latest.Length > 200 ? latest[..200] : latest, percent,
                    $"run {run.Id}", Elapsed: DateTimeOffset.Now - run.StartedAt));
                // The local copy is written in large blocks: a pause in the log must not leave its last lines unwritten.
                sink.Flush();
                await Task.Delay(options.ProgressInterval, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
