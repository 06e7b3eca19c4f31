using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Autorest;

namespace GlobalUpgrade.Kubernetes;

/// <summary>What a wait waits for: a condition over the objects a list+watch currently sees.</summary>
public sealed record WaitCondition
{
    /// <summary>What the operator reads in progress and errors: "pod cpaas-system/x to be Ready".</summary>
    public required string Description { get; init; }

    /// <summary>True when the wait is over. Called with the objects seen now (empty when none match), sorted by name.</summary>
    public required Func<IReadOnlyList<JsonObject>, bool> IsDone { get; init; }

    /// <summary>The state as an operator would want to read it in a timeout error ("pod x: Pending, ImagePullBackOff").</summary>
    public Func<IReadOnlyList<JsonObject>, string>? DescribeState { get; init; }

    /// <summary>A failure that makes waiting on pointless (a Failed job); null while there is none.</summary>
    public Func<IReadOnlyList<JsonObject>, GlobalUpgradeException?>? FailsWith { get; init; }
}

/// <summary>How a wait ended, and what it cost: the requests it made (lists and watches) and the events it read.</summary>
public sealed record WaitResult(IReadOnlyList<JsonObject> Objects, TimeSpan Elapsed, int Lists, int Watches, int Events);

/// <summary>
/// Waits, event-driven, until a condition over a set of objects holds: one list for a resourceVersion, then a watch
/// from it. A watch the server ends (timeoutSeconds) or a dropped stream is resumed from the last resourceVersion
/// seen; 410 Gone (an ERROR event or an HTTP 410) re-lists; KubernetesClient 21's HttpRequestException for a watch
/// that ended without an event is a re-watch, not a failure. No polling: a wait of any length costs one list and one
/// watch per <see cref="WatchRequestSeconds"/>, plus one per drop. Progress (what, how long so far) goes to
/// <see cref="OperationLog"/> every second; the caller's token (Ctrl+C) stops it at once.
/// </summary>
public static class ResourceWatcher
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>timeoutSeconds of each watch request: the server ends it cleanly and we resume (client-go uses 5-10 min).</summary>
    public static int WatchRequestSeconds { get; set; } = 50;

    /// <summary>Failed watch/list attempts in a row (nothing received in between) before the wait gives up.</summary>
    public const int MaxConsecutiveFailures = 8;

    private static int nextActivityId = 4200;

    public static Task<WaitResult> WaitAsync(ClusterConnection cluster, KubeKind kind, ListArgs query, WaitCondition condition, TimeSpan? timeout, CancellationToken cancellationToken) =>
        WaitAsync(cluster.Client, cluster.Endpoint, cluster.Name, kind, query, condition, timeout, cancellationToken);

    public static async Task<WaitResult> WaitAsync(IKubernetes client, ClusterEndpoint endpoint, string clusterName, KubeKind kind, ListArgs query, WaitCondition condition, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        var token = deadline.Token;
        var log = OperationLog.Current;
        var activity = Interlocked.Increment(ref nextActivityId);
        var title = $"[{clusterName}] waiting for {condition.Description}";
        var clock = Stopwatch.StartNew();
        var objects = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var state = "listing";
        int lists = 0, watches = 0, events = 0, failures = 0;
        string? resourceVersion = null;
        log.Verbose($"{title} ({kind}{Selectors(query)}; timeout {limit.TotalSeconds:0} s)");

        using var ticker = new CancellationTokenSource();
        var progress = Task.Run(async () =>
        {
            try
            {
                while (!ticker.IsCancellationRequested)
                {
                    log.Progress(new OperationProgress(activity, title, Volatile.Read(ref state), Elapsed: clock.Elapsed));
                    await Task.Delay(TimeSpan.FromSeconds(1), ticker.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        IReadOnlyList<JsonObject> Snapshot() => objects.Values.ToList();

        bool Evaluate()
        {
            var now = Snapshot();
            if (condition.FailsWith?.Invoke(now) is { } failure)
            {
                throw failure;
            }

            Volatile.Write(ref state, condition.DescribeState?.Invoke(now) ?? $"{now.Count} {kind} seen");
            return condition.IsDone(now);
        }

        try
        {
            while (true)
            {
                try
                {
                    if (resourceVersion is null)
                    {
                        lists++;
                        var list = await ListAllAsync(client, kind, query, token, endpoint).ConfigureAwait(false);
                        objects.Clear();
                        foreach (var item in ObjectList.ItemsOf(list.Items))
                        {
                            objects[Key(item)] = item;
                        }

                        resourceVersion = list.ResourceVersion;
                        failures = 0;
                        if (Evaluate())
                        {
                            return Done();
                        }
                    }

                    var gone = false;
                    watches++;
                    var started = clock.Elapsed;
                    var args = query with { Continue = null, ResourceVersion = resourceVersion, TimeoutSeconds = WatchRequestSeconds };
                    log.Debug($"[{clusterName}] watching {kind}{Selectors(query)} from resourceVersion {resourceVersion}");
                    await foreach (var (type, element) in kind.Watch(client, args, ex => gone |= IsGone(ex, log), token).ConfigureAwait(false))
                    {
                        if (type == WatchEventType.Error)
                        {
                            var status = ApiStatus.From(JsonNode.Parse(element.GetRawText()));
                            if (status.IsGone)
                            {
                                gone = true;
                                break;
                            }

                            throw new GlobalUpgradeException(ErrorIds.WatchFailed, FailureCategory.InvalidOperation, $"The watch of {kind} on {clusterName} failed: {status.Message ?? element.GetRawText()}", clusterName);
                        }

                        var obj = JsonNode.Parse(element.GetRawText()) as JsonObject;
                        if (obj is null)
                        {
                            continue;
                        }

                        resourceVersion = ObjectList.ResourceVersionOf(obj) ?? resourceVersion;
                        if (type == WatchEventType.Bookmark)
                        {
                            continue;
                        }

                        events++;
                        failures = 0;
                        if (type == WatchEventType.Deleted)
                        {
                            objects.Remove(Key(obj));
                        }
                        else
                        {
                            objects[Key(obj)] = obj;
                        }

                        if (Evaluate())
                        {
                            return Done();
                        }
                    }

                    if (gone)
                    {
                        log.Debug($"[{clusterName}] resourceVersion {resourceVersion} of {kind} is too old (410 Gone): listing again");
                        resourceVersion = null;
                    }

                    // The server ended the watch (timeoutSeconds): resume from where we are.
                    if (clock.Elapsed - started < TimeSpan.FromSeconds(1) && !gone)
                    {
                        // A server ending watches at once must not make us spin.
                        failures++;
                        await Backoff(failures, token).ConfigureAwait(false);
                    }
                }
                catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
                {
                    log.Debug($"[{clusterName}] 410 Gone for {kind} at resourceVersion {resourceVersion}: listing again");
                    resourceVersion = null;
                }
                catch (Exception ex) when (IsEmptyWatch(ex) && !token.IsCancellationRequested)
                {
                    // KubernetesClient 21 reports a watch the server ended before any event this way: not a failure.
                    log.Debug($"[{clusterName}] the watch of {kind} ended without an event; watching again from {resourceVersion}");
                }
                catch (Exception ex) when (IsTransient(ex) && !token.IsCancellationRequested)
                {
                    failures++;
                    log.Debug($"[{clusterName}] the watch of {kind} broke ({ex.GetType().Name}: {ex.Message}); attempt {failures} of {MaxConsecutiveFailures}, resuming from {resourceVersion ?? "a new list"}");
                    if (failures >= MaxConsecutiveFailures)
                    {
                        throw KubeErrorTranslator.Translate(ex, endpoint, $"waiting for {condition.Description}", cancellationToken) is GlobalUpgradeException translated
                            ? translated
                            : new GlobalUpgradeException(ErrorIds.WatchFailed, FailureCategory.ConnectionError, $"Waiting for {condition.Description} on {clusterName}: the watch of {kind} failed {failures} times in a row ({ex.Message}).", clusterName, ex);
                    }

                    await Backoff(failures, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var last = condition.DescribeState?.Invoke(Snapshot()) ?? $"{objects.Count} {kind} seen";
            throw new GlobalUpgradeException(
                ErrorIds.WaitTimedOut,
                FailureCategory.OperationTimeout,
                $"Timed out after {limit.TotalSeconds:0} s waiting for {condition.Description} on cluster '{clusterName}'. Last seen: {last}. Look at the objects named here, or retry with a larger -TimeoutSec.",
                clusterName);
        }
        catch (HttpOperationException ex)
        {
            throw KubeErrorTranslator.FromStatus(ex.Response?.StatusCode ?? 0, ex.Response?.Content, endpoint, $"waiting for {condition.Description}", ex);
        }
        finally
        {
            // Ends the open watch now: disposing the enumerator does not close KubernetesClient's stream.
            await deadline.CancelAsync().ConfigureAwait(false);
            await ticker.CancelAsync().ConfigureAwait(false);
            await progress.ConfigureAwait(false);
            log.Progress(new OperationProgress(activity, title, "done", Completed: true, Elapsed: clock.Elapsed));
        }

        WaitResult Done()
        {
            log.Verbose($"[{clusterName}] {condition.Description}: done after {clock.Elapsed.TotalSeconds:0.0} s ({lists} list, {watches} watch requests, {events} events)");
            return new WaitResult(Snapshot(), clock.Elapsed, lists, watches, events);
        }
    }

    /// <summary>Lists once (all pages, <see cref="ListPager"/>) and returns the items with the list's resourceVersion.</summary>
    public static async Task<(JsonObject Items, string? ResourceVersion)> ListAllAsync(IKubernetes client, KubeKind kind, ListArgs query, CancellationToken cancellationToken, ClusterEndpoint? endpoint = null)
    {
        var (items, resourceVersion) = await ListPager.ReadAllAsync(
            (next, ct) => kind.List(client, query with { Continue = next, ResourceVersion = null, TimeoutSeconds = null }, ct),
            endpoint is null ? "The API server" : KubeErrorTranslator.Describe(endpoint),
            $"listing {kind}",
            cancellationToken).ConfigureAwait(false);
        return (new JsonObject { ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()) }, resourceVersion);
    }

    /// <summary>KubernetesClient 21: HttpRequestException "Error while copying content to a stream" around an EndOfStreamException.</summary>
    public static bool IsEmptyWatch(Exception ex) =>
        ex is HttpRequestException && ExceptionChain.Find<EndOfStreamException>(ex) is not null;

    private static bool IsTransient(Exception ex) => ex switch
    {
        HttpOperationException http => (int)(http.Response?.StatusCode ?? 0) is >= 500 or 429,
        HttpRequestException or IOException => true,
        JsonException => true, // a line cut in half by a dropped connection
        _ => ExceptionChain.Find<IOException>(ex) is not null,
    };

    private static bool IsGone(Exception ex, IOperationLog log)
    {
        if (ex is KubernetesException kube && (kube.Status?.Code == 410 || kube.Status?.Reason is "Expired" or "Gone"))
        {
            return true;
        }

        log.Debug($"watch error: {ex.GetType().Name}: {ex.Message}");
        return false;
    }

    private static Task Backoff(int failures, CancellationToken token) =>
        Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * Math.Pow(2, failures - 1))), token);

    private static string Key(JsonObject obj) => ObjectMeta.Key(obj);

    private static string Selectors(ListArgs q) =>
        (q.Namespace is null ? "" : $" in {q.Namespace}") + (q.LabelSelector is null ? "" : $" -l {q.LabelSelector}") + (q.FieldSelector is null ? "" : $" --field-selector {q.FieldSelector}");
}
