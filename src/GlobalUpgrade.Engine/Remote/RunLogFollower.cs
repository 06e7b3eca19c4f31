using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Remote;

/// <summary>
/// Follows a detached run's log into a local copy (secrets masked) while reporting progress with the latest log
/// line and the elapsed time, then reads how the run ended. A reusable piece of what the image sync does, for any
/// detached command (the upgrade trigger). Cancelling stops the following only, never the run.
/// </summary>
public static class RunLogFollower
{
    /// <summary>What was copied by the time the following stopped (also on failure or cancellation).</summary>
    public sealed record Progress(long Received, string[] LastLines);

    public sealed record Options
    {
        public required string Activity { get; init; }

        public required int ActivityId { get; init; }

        public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.Now;

        public string? LocalLogPath { get; init; }

        public IReadOnlyList<string> Secrets { get; init; } = [];

        public int LastLineCount { get; init; } = 20;

        public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    }

    /// <summary>
    /// Streams the log of run <paramref name="id"/> from <paramref name="offset"/> until the run ends and returns its
    /// status. <paramref name="stopped"/> is called once, whatever happens, with what was received.
    /// </summary>
    public static async Task<DetachedStatus> FollowAsync(IRemoteHost host, string root, string id, long offset, Options options, Action<Progress> stopped, CancellationToken cancellationToken)
    {
        var log = OperationLog.Current;
        using var sink = new LogSink(options.LocalLogPath, options.Secrets);
        using var stopReporting = new CancellationTokenSource();
        var reporter = ReportAsync(sink, options, log, stopReporting.Token);
        try
        {
            await DetachedRun.FollowAsync(host, root, id, offset, sink, cancellationToken).ConfigureAwait(false);
            return await DetachedRun.GetStatusAsync(host, root, id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopReporting.CancelAsync().ConfigureAwait(false);
            await reporter.ConfigureAwait(false);
            sink.Complete();
            log.Progress(new OperationProgress(options.ActivityId, options.Activity, "done", Completed: true));
            stopped(new Progress(sink.Received, sink.LastLines(options.LastLineCount)));
        }
    }

    private static async Task ReportAsync(LogSink sink, Options options, IOperationLog log, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var lines = sink.LastLines(1);
                var latest = lines.Length > 0 ? lines[^1] : "waiting for output";
                log.Progress(new OperationProgress(options.ActivityId, options.Activity, latest.Length > 200 ? latest[..200] : latest,
                    Elapsed: DateTimeOffset.Now - options.StartedAt));
                await Task.Delay(options.ProgressInterval, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
