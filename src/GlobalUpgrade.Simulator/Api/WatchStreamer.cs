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
        var fields = FieldSelector.Parse(q["fieldSelector"], route.Type);
        var bookmarks = ResourceHandler.IsTrue(q["allowWatchBookmarks"]);
        var table = TableOutput.Wanted(ctx.Request) ? new TableRequest(ResourceHandler.IncludeObject(q)) : null;
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
            var lastRv = from ?? cluster.Store.ResourceVersion;
            try
            {
                await ctx.Response.StartAsync(cts.Token);
                await ctx.Response.Body.FlushAsync(cts.Token);
                foreach (var e in subscription.Initial)
                {
                    lastRv = Math.Max(lastRv, e.ResourceVersion);
                    if (await SendAsync(ctx, route, e, labels, fields, table, cts.Token) && ++sent >= (fault?.DropWatchAfterEvents ?? int.MaxValue))
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
                    if (await SendAsync(ctx, route, e, labels, fields, table, cts.Token) && ++sent >= (fault?.DropWatchAfterEvents ?? int.MaxValue))
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

    // Like the real API server's watch cache: the object before and after the change decide the event. One that
    // enters the selectors is ADDED, one that leaves them is DELETED (with its last matching state), one that stays
    // is MODIFIED; the same on a resumed watch, since every event knows the object it replaced.
    private static async Task<bool> SendAsync(HttpContext ctx, ApiRoute route, StoreEvent e, LabelSelector labels, FieldSelector fields, TableRequest? table, CancellationToken ct)
    {
        bool Matches(JsonObject? o) => o is not null && labels.Matches(o.Labels()) && fields.Matches(o);

        var now = Matches(e.Object);
        var before = e.Type != StoreEvent.Added && Matches(e.Previous);
        var (type, obj) = e.Type switch
        {
            StoreEvent.Deleted when now || before => (StoreEvent.Deleted, e.Object),
            StoreEvent.Modified when now && before => (StoreEvent.Modified, e.Object),
            StoreEvent.Modified when now => (StoreEvent.Added, e.Object),
            StoreEvent.Modified when before => (StoreEvent.Deleted, WithResourceVersion(e.Previous!, e.ResourceVersion)),
            StoreEvent.Added when now => (StoreEvent.Added, e.Object),
            _ => (null, e.Object),
        };
        if (type is null)
        {
            return false;
        }

        if (route.Version != route.Type.Version)
        {
            obj = (JsonObject)obj.DeepClone();
            obj["apiVersion"] = route.ApiVersion;
        }

        // kubectl get -w asks for tables: each event then carries a one-row Table.
        await WriteEventAsync(ctx, type, table is null ? obj : TableOutput.Build(route.Type, [obj], obj.Str("metadata.resourceVersion"), includeObject: table.IncludeObject), ct);
        return true;
    }

    private sealed record TableRequest(bool IncludeObject);

    // The DELETED event of an object that left the selectors carries the event's resourceVersion to resume from.
    private static JsonObject WithResourceVersion(JsonObject obj, long rv)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Metadata()["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        return copy;
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
