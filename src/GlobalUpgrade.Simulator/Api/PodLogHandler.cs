using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>
/// <c>GET .../pods/{name}/log</c>: plain text; with <c>follow=true</c> new lines are streamed until the pod is
/// deleted (a new pod with the same name does not continue the stream) or the client goes away.
/// </summary>
internal sealed class PodLogHandler(SimCluster cluster, CancellationToken stopping)
{
    public async Task HandleAsync(HttpContext ctx, ApiRoute route)
    {
        var pod = cluster.Store.Get(ResourceTypes.Pods, route.Namespace, route.Name!) ?? throw ApiException.NotFound(ResourceTypes.Pods, route.Name!);
        var uid = pod.Str("metadata.uid");
        var q = ctx.Request.Query;
        CheckReadable(pod, q["container"]);
        var follow = ResourceHandler.IsTrue(q["follow"]);
        var timestamps = ResourceHandler.IsTrue(q["timestamps"]);
        DateTimeOffset? since = DateTimeOffset.TryParse(q["sinceTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var st) ? st : null;
        if (int.TryParse(q["sinceSeconds"], out var sinceSeconds))
        {
            since = DateTimeOffset.UtcNow.AddSeconds(-sinceSeconds);
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var (lines, next) = cluster.Logs.Read(route.Namespace!, route.Name!, 0);
        var position = lines.Count;
        var selected = lines.Where(l => since is null || l.Time >= since).ToList();
        if (int.TryParse(q["tailLines"], out var tail) && tail >= 0)
        {
            selected = selected.TakeLast(tail).ToList();
        }

        if (int.TryParse(q["limitBytes"], out var limitBytes) && limitBytes > 0)
        {
            // limitBytes ends the answer once reached, even when following.
            var text = Encoding.UTF8.GetBytes(string.Concat(selected.Select(l => (timestamps ? Stamp(l.Time) + " " : "") + l.Line + "\n")));
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.Body.WriteAsync(text.AsMemory(0, Math.Min(limitBytes, text.Length)), ctx.RequestAborted);
            return;
        }

        try
        {
            await ctx.Response.StartAsync(cts.Token);
            await WriteAsync(ctx, selected, timestamps, cts.Token);
            while (follow && !cts.IsCancellationRequested)
            {
                // Wake on an append or every 200 ms to notice that the pod is gone.
                await Task.WhenAny(next, Task.Delay(200, cts.Token));
                (lines, next) = cluster.Logs.Read(route.Namespace!, route.Name!, position);
                position += lines.Count;
                await WriteAsync(ctx, lines, timestamps, cts.Token);
                if (cluster.Store.Get(ResourceTypes.Pods, route.Namespace, route.Name!)?.Str("metadata.uid") != uid)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Like the kubelet behind a real API server: a log is read from one container that has started. Several
    /// containers and none named, or a container still waiting (ContainerCreating, ImagePullBackOff), is 400 Bad
    /// Request; a client must retry, not read an empty log as "nothing logged yet".
    /// </summary>
    private static void CheckReadable(JsonObject pod, string? container)
    {
        var name = pod.Name();
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => c.Str("name") ?? "").ToList();
        if (string.IsNullOrEmpty(container))
        {
            if (containers.Count > 1)
            {
                throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', containers)}]");
            }

            container = containers.FirstOrDefault() ?? "";
        }
        else if (!containers.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {name}");
        }

        var status = (pod["status"]?["containerStatuses"] as JsonArray ?? []).FirstOrDefault(s => s.Str("name") == container);
        if (status is null)
        {
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{name}\" is not available");
        }

        if (status["state"]?["waiting"] is { } waiting && status["state"]?["running"] is null && status["state"]?["terminated"] is null)
        {
            var why = waiting.Str("reason") switch
            {
                "ErrImagePull" => "image can't be pulled",
                "ImagePullBackOff" => "trying and failing to pull image",
                var reason => reason ?? "",
            };
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: {why}");
        }
    }

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static async Task WriteAsync(HttpContext ctx, List<(DateTimeOffset Time, string Line)> lines, bool timestamps, CancellationToken ct)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var sb = new StringBuilder();
        foreach (var (time, line) in lines)
        {
            if (timestamps)
            {
                sb.Append(Stamp(time)).Append(' ');
            }

            sb.Append(line).Append('\n');
        }

        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }
}
