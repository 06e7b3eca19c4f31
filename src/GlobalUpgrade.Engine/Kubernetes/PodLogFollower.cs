using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Autorest;

namespace GlobalUpgrade.Kubernetes;

/// <summary>A log line and the time the container wrote it (the API server's timestamp).</summary>
public sealed record LogMatch(string Pod, string Line, DateTimeOffset? Time);

/// <summary>
/// Follows a pod's log (<c>follow=true</c>, read as a stream) until a line containing a text appears. The stream is
/// re-opened when it breaks while the pod lives; a deleted pod, the timeout and Ctrl+C end the wait.
/// </summary>
public static class PodLogFollower
{
    public static async Task<LogMatch> WaitForLineAsync(ClusterConnection cluster, string ns, string pod, string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;
        var log = OperationLog.Current;
        var clock = Stopwatch.StartNew();
        var what = $"pod {ns}/{pod} to log \"{text}\"";
        var lastLine = "(nothing logged yet)";
        var attempts = 0;
        log.Verbose($"[{cluster.Name}] following the log of pod {ns}/{pod} for \"{text}\" (timeout {timeout.TotalSeconds:0} s)");
        try
        {
            while (true)
            {
                attempts++;
                try
                {
                    using var response = await cluster.Client.CoreV1.ReadNamespacedPodLogWithHttpMessagesAsync(pod, ns, follow: true, timestamps: true, cancellationToken: token).ConfigureAwait(false);
                    try
                    {
                        using var reader = new StreamReader(response.Body, Encoding.UTF8);
                        while (await reader.ReadLineAsync(token).ConfigureAwait(false) is { } raw)
                        {
                            var (time, line) = Split(raw);
                            lastLine = line;
                            if (line.Contains(text, StringComparison.Ordinal))
                            {
                                log.Verbose($"[{cluster.Name}] pod {ns}/{pod} logged \"{text}\" after {clock.Elapsed.TotalSeconds:0.0} s");
                                return new LogMatch(pod, line, time);
                            }
                        }
                    }
                    finally
                    {
                        // Disposing the reader alone leaves the followed stream (and the server's follow) open.
                        KubeKind.Close(response.Response);
                    }
                }
                catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
                {
                    throw Gone(cluster, ns, pod, text, lastLine);
                }
                catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.BadRequest)
                {
                    // "container ... is waiting to start": not yet, try again shortly.
                    lastLine = $"(no log yet: {KubeErrorTranslator.StatusMessage(ex.Response?.Content)})";
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !token.IsCancellationRequested)
                {
                    log.Debug($"[{cluster.Name}] the log stream of {ns}/{pod} broke ({ex.Message}); following again");
                }

                // The stream ended without the line: the pod may be gone, or the connection was cut.
                var exists = await cluster.CallAsync($"reading pod {ns}/{pod}", async (c, ct) =>
                {
                    try
                    {
                        return await c.CoreV1.ReadNamespacedPodAsync(pod, ns, cancellationToken: ct).ConfigureAwait(false) is { Metadata.DeletionTimestamp: null };
                    }
                    catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
                    {
                        return false;
                    }
                }, token).ConfigureAwait(false);
                if (!exists)
                {
                    throw Gone(cluster, ns, pod, text, lastLine);
                }

                log.Progress(new OperationProgress(4100, $"[{cluster.Name}] waiting for {what}", $"stream re-opened {attempts} times", Elapsed: clock.Elapsed));
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * attempts)), token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new GlobalUpgradeException(
                ErrorIds.WaitTimedOut,
                FailureCategory.OperationTimeout,
                $"Timed out after {timeout.TotalSeconds:0} s waiting for {what} on cluster '{cluster.Name}'. Its last line: {lastLine}",
                pod);
        }
        finally
        {
            // Closes the followed stream at once, whether we found the line or gave up.
            await deadline.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Splits "2026-11-26T14:00:00.123456789Z text" (timestamps=true) into time and text.</summary>
    internal static (DateTimeOffset? Time, string Line) Split(string raw)
    {
        var space = raw.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && DateTimeOffset.TryParse(raw[..space], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return (time, raw[(space + 1)..]);
        }

        return (null, raw);
    }

    /// <summary>The lines logged so far (no follow), with their times.</summary>
    public static async Task<IReadOnlyList<(DateTimeOffset? Time, string Line)>> ReadAsync(ClusterConnection cluster, string ns, string pod, CancellationToken cancellationToken)
    {
        return await cluster.CallAsync($"reading the log of pod {ns}/{pod}", async (c, ct) =>
        {
            using var response = await c.CoreV1.ReadNamespacedPodLogWithHttpMessagesAsync(pod, ns, timestamps: true, cancellationToken: ct).ConfigureAwait(false);
            using var reader = new StreamReader(response.Body, Encoding.UTF8);
            var lines = new List<(DateTimeOffset?, string)>();
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } raw)
            {
                lines.Add(Split(raw));
            }

            return (IReadOnlyList<(DateTimeOffset?, string)>)lines;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static GlobalUpgradeException Gone(ClusterConnection cluster, string ns, string pod, string text, string lastLine) => new(
        ErrorIds.PodGone,
        FailureCategory.ObjectNotFound,
        $"Pod {ns}/{pod} on cluster '{cluster.Name}' went away before it logged \"{text}\". Its last line: {lastLine}",
        pod);
}
