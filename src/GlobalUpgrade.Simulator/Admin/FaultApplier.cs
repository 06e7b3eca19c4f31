using GlobalUpgrade.Simulator.Api;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Admin;

/// <summary>Applies a matched <see cref="FaultRule"/> to a request.</summary>
internal static class FaultApplier
{
    /// <summary>Latency, reset and status faults; true when the request has been answered (or killed).</summary>
    public static async Task<bool> BeforeAsync(HttpContext ctx, FaultRule fault)
    {
        if (fault.LatencyMs > 0)
        {
            await Task.Delay(fault.LatencyMs, ctx.RequestAborted);
        }

        if (fault.Reset)
        {
            ctx.Abort();
            return true;
        }

        if (fault.ContinueForever)
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($$"""{"kind":"List","apiVersion":"v1","metadata":{"continue":"{{Guid.NewGuid():N}}"},"items":[]}""", ctx.RequestAborted);
            return true;
        }

        if (fault.Status is { } code)
        {
            ctx.Response.StatusCode = code;
            if (fault.RetryAfter is { } retryAfter)
            {
                ctx.Response.Headers.RetryAfter = retryAfter;
            }

            if (fault.Body is null)
            {
                await KubeStatus.WriteAsync(ctx, KubeStatus.Failure(code, KubeStatus.ReasonFor(code), $"injected fault: {code}"));
            }
            else
            {
                ctx.Response.ContentType = fault.ContentType ?? "text/plain";
                await ctx.Response.WriteAsync(fault.Body, ctx.RequestAborted);
            }

            return true;
        }

        // Watch drops are applied by the watch stream itself.
        ctx.Items[WatchStreamer.FaultItem] = fault;
        return false;
    }

    /// <summary>Serves the real answer into a buffer, announces its full length, sends only the first bytes and resets.</summary>
    public static async Task TruncatedAsync(HttpContext ctx, int cut, Func<Task> serve)
    {
        var original = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        try
        {
            await serve();
        }
        finally
        {
            ctx.Response.Body = original;
        }

        var bytes = buffer.ToArray();
        ctx.Response.ContentLength = bytes.Length;
        await original.WriteAsync(bytes.AsMemory(0, Math.Min(cut, bytes.Length)), ctx.RequestAborted);
        await original.FlushAsync(ctx.RequestAborted);
        ctx.Abort();
    }
}
