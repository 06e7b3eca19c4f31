using System.Text;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// The etcd-sync monitor behind service <c>cpaas-system/etcd-sync-monitor</c>: <c>/check</c> reports keys of the
/// active cluster missing locally and local surplus keys. The layout is [assumed] (headings per [doc release-4.3 install/global_dr.mdx "Routine Checks"]).
/// </summary>
internal static class MonitorBackend
{
    public static async Task HandleAsync(HttpContext ctx, string path, SimCluster local, ObjectStore active)
    {
        if (path.TrimEnd('/') != "/check")
        {
            ctx.Response.StatusCode = 404;
            await ctx.Response.WriteAsync("404 page not found\n", ctx.RequestAborted);
            return;
        }

        var over = local.MonitorOverride;
        if (over is not null)
        {
            await OverrideAsync(ctx, over);
            return;
        }

        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(Report(active, local.Store), ctx.RequestAborted);
    }

    public static string Report(ObjectStore active, ObjectStore local)
    {
        var (missed, surplus) = EtcdKeys.Compare(active, local);
        var sb = new StringBuilder();
        sb.Append("LOCAL ETCD missed keys:\n");
        foreach (var k in missed)
        {
            sb.Append(k).Append('\n');
        }

        sb.Append("LOCAL ETCD surplus keys:\n");
        foreach (var k in surplus)
        {
            sb.Append(k).Append('\n');
        }

        return sb.ToString();
    }

    private static async Task OverrideAsync(HttpContext ctx, Admin.MonitorOverride over)
    {
        if (over.HangMs > 0)
        {
            await Task.Delay(over.HangMs, ctx.RequestAborted);
        }

        var body = Encoding.UTF8.GetBytes(over.Body ?? "");
        ctx.Response.StatusCode = over.Status;
        ctx.Response.ContentType = over.ContentType ?? "text/plain; charset=utf-8";
        if (over.TruncateBodyAt is { } cut)
        {
            ctx.Response.ContentLength = body.Length;
            await ctx.Response.Body.WriteAsync(body.AsMemory(0, Math.Min(cut, body.Length)), ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            await Task.Delay(50);
            ctx.Abort();
            return;
        }

        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }
}
