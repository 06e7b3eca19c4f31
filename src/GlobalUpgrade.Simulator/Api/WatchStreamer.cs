using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Admin;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>
/// Serves <c>?watch=true</c>: newline-delimited JSON events, each flushed at once, like the real API server
/// (including a 410 Expired ERROR event inside a 200 stream when the resourceVersion was compacted).
/// </summary>
internal sealed class WatchStreamer(SimCluster cluster, TimeSpan bookmarkInterval, CancellationToken stopping)
{
    public const string FaultItem = "sim.fault";

    public async Task StreamAsync(HttpContext ctx, ApiRoute route)
    {
        var q = ctx.Request.Query;
        var labels = LabelSelector.Parse(q["labelSelector"]);
        var fields = FieldSelector.Parse(q["fieldSelector"]);
        var bookmarks = ResourceHandler.IsTrue(q["allowWatchBookmarks"]);
        long? from = long.TryParse(q["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) && rv > 0 ? rv : null;
        var timeout = int.TryParse(q["timeoutSeconds"], out var t) && t > 0 ? TimeSpan.FromSeconds(t) : Timeout.InfiniteTimeSpan;
        var fault = ctx.Items[FaultItem] as FaultRule;

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            cts.CancelAfter(timeout);
        }

        if (fault?.DropWatchAfterMs is { } dropMs)
        {
            // Dropping aborts the connection: the client sees a broken stream, not a clean end.
            _ = Task.Delay(dropMs, cts.Token).ContinueWith(_ => ctx.Abort(), TaskContinuationOptions.OnlyOnRanToCompletion);
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        StoreSubscription subscription;
        try
        {
            subscription = cluster.Store.Subscribe(route.Type, route.Namespace, from);
        }
        catch (ApiException e) when (e.Code == 410)
        {
            await WriteEventAsync(ctx, "ERROR", KubeStatus.Failure(e), ctx.RequestAborted);
            return;
        }

        using (subscription)
        {
            var sent = 0;
            var matching = new Selection(from is null);
            var lastRv = from ?? cluster.Store.ResourceVersion;
            try
            {
                await ctx.Response.StartAsync(cts.Token);
                await ctx.Response.Body.FlushAsync(cts.Token);
                foreach (var e in subscription.Initial)
                {
                    lastRv = Math.Max(lastRv, e.ResourceVersion);
                    if (await SendAsync(ctx, route, e, labels, fields, matching, cts.Token) && ++sent >= (fault?.DropWatchAfterEvents ?? int.MaxValue))
                    {
                        await DropAsync(ctx);
                        return;
                    }
                }

                var nextBookmark = DateTime.UtcNow + bookmarkInterval;
                while (!cts.IsCancellationRequested)
                {
                    var wait = bookmarks ? nextBookmark - DateTime.UtcNow : Timeout.InfiniteTimeSpan;
                    if (bookmarks && wait <= TimeSpan.Zero)
                    {
                        await WriteBookmarkAsync(ctx, route, lastRv, cts.Token);
                        nextBookmark = DateTime.UtcNow + bookmarkInterval;
                        continue;
                    }

                    using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                    if (wait != Timeout.InfiniteTimeSpan)
                    {
                        waitCts.CancelAfter(wait);
                    }

                    StoreEvent e;
                    try
                    {
                        e = await subscription.Live.ReadAsync(waitCts.Token);
                    }
                    catch (OperationCanceledException) when (!cts.IsCancellationRequested)
                    {
                        continue; // time for a bookmark
                    }

                    lastRv = e.ResourceVersion;
                    if (await SendAsync(ctx, route, e, labels, fields, matching, cts.Token) && ++sent >= (fault?.DropWatchAfterEvents ?? int.MaxValue))
                    {
                        await DropAsync(ctx);
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            // A timed-out watch ends cleanly; a bookmark first tells the client where to resume.
            if (bookmarks && !ctx.RequestAborted.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
                await WriteBookmarkAsync(ctx, route, lastRv, ctx.RequestAborted);
            }
        }
    }

    // Like the real server, an object that starts or stops matching the selectors is reported as ADDED or DELETED.
    private static async Task<bool> SendAsync(HttpContext ctx, ApiRoute route, StoreEvent e, LabelSelector labels, FieldSelector fields, Selection matching, CancellationToken ct)
    {
        var key = $"{e.Object.Namespace()}/{e.Object.Name()}";
        var matches = labels.Matches(e.Object.Labels()) && fields.Matches(e.Object);
        var type = e.Type;
        if (type == StoreEvent.Deleted)
        {
            if (!matching.Keys.Remove(key) && !matches)
            {
                return false;
            }
        }
        else if (matches)
        {
            if (matching.Keys.Add(key) && matching.Complete)
            {
                type = StoreEvent.Added;
            }
        }
        else if (matching.Keys.Remove(key))
        {
            type = StoreEvent.Deleted;
        }
        else
        {
            return false;
        }

        var obj = e.Object;
        if (route.Version != route.Type.Version)
        {
            obj = (JsonObject)obj.DeepClone();
            obj["apiVersion"] = route.ApiVersion;
        }

        await WriteEventAsync(ctx, type, obj, ct);
        return true;
    }

    /// <summary>
    /// The objects a watch has reported as matching. Complete when the watch began with the current state; a resumed
    /// watch does not know what matched before, so it cannot turn a MODIFIED into an ADDED.
    /// </summary>
    private sealed record Selection(bool Complete)
    {
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }

    // Give the flushed events time to leave the socket; Abort discards whatever is still queued.
    private static async Task DropAsync(HttpContext ctx)
    {
        await Task.Delay(100);
        ctx.Abort();
    }

    private static Task WriteBookmarkAsync(HttpContext ctx, ApiRoute route, long rv, CancellationToken ct) =>
        WriteEventAsync(ctx, "BOOKMARK", new JsonObject
        {
            ["kind"] = route.Type.Kind,
            ["apiVersion"] = route.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
        }, ct);

    private static async Task WriteEventAsync(HttpContext ctx, string type, JsonObject obj, CancellationToken ct)
    {
        var line = "{\"type\":\"" + type + "\",\"object\":" + obj.ToJsonString(JsonText.Options) + "}\n";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }
}
