using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Api;
using GlobalUpgrade.Simulator.Controllers;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Admin;

/// <summary>
/// Test hooks under <c>/_sim/</c> on each cluster's port (same bearer token): store dump, request log, faults,
/// raw object writes, the platform version, plugins pushed, targets offered and the etcd-sync monitor's answer.
/// </summary>
internal sealed class AdminApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task HandleAsync(HttpContext ctx, SimCluster cluster, string path)
    {
        var method = ctx.Request.Method;
        switch (path.TrimEnd('/'), method)
        {
            case ("/_sim/store", "GET"):
                await KubeStatus.WriteJsonAsync(ctx, new JsonArray(cluster.Store.All().Select(p => (JsonNode)p.Object).ToArray()));
                break;
            case ("/_sim/requests", "GET"):
                await WriteAsync(ctx, cluster.Requests.Snapshot());
                break;
            case ("/_sim/requests/in-flight", "GET"):
                await WriteAsync(ctx, cluster.Requests.InFlight());
                break;
            case ("/_sim/requests", "DELETE"):
                cluster.Requests.Clear();
                ctx.Response.StatusCode = 204;
                break;
            case ("/_sim/faults", "GET"):
                await WriteAsync(ctx, cluster.Faults.Snapshot());
                break;
            case ("/_sim/faults", "POST"):
                {
                    var rules = await ReadAsync<FaultRule>(ctx);
                    foreach (var rule in rules)
                    {
                        cluster.Faults.Add(rule);
                    }

                    ctx.Response.StatusCode = 201;
                    await WriteAsync(ctx, rules);
                    break;
                }

            case ("/_sim/faults", "DELETE"):
                cluster.Faults.Clear();
                ctx.Response.StatusCode = 204;
                break;
            case ("/_sim/objects", "POST"):
                {
                    var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                    var objects = body is JsonArray a ? a.OfType<JsonObject>().ToList() : body is JsonObject o ? [o] : [];
                    var written = new JsonArray();
                    foreach (var obj in objects)
                    {
                        var type = ResourceTypes.FindByKind(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "")
                            ?? throw ApiException.BadRequest($"unknown apiVersion/kind {obj.Str("apiVersion")}/{obj.Str("kind")}");
                        written.Add(cluster.Store.Upsert(type, obj));
                    }

                    await KubeStatus.WriteJsonAsync(ctx, written);
                    break;
                }

            case ("/_sim/platform-version", "POST"):
                {
                    var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                    var version = body.Str("version") ?? throw ApiException.BadRequest("version is required");
                    await KubeStatus.WriteJsonAsync(ctx, Platform.SetVersion(cluster.Store, version));
                    break;
                }

            case ("/_sim/trigger", "POST"):
                {
                    var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                    var version = body.Str("version") ?? throw ApiException.BadRequest("version is required");
                    await KubeStatus.WriteJsonAsync(ctx, Platform.Trigger(cluster.Store, version));
                    break;
                }

            case ("/_sim/push-plugin", "POST"):
                {
                    // violet push of a plugin package to this cluster's platform [doc release-4.3 UGC "Sync upgrade artifacts"].
                    var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                    var module = body.Str("module") ?? throw ApiException.BadRequest("module is required");
                    var version = body.Str("version") ?? throw ApiException.BadRequest("version is required");
                    await KubeStatus.WriteJsonAsync(ctx, Platform.PushPlugin(cluster.Store, module, version));
                    break;
                }

            case ("/_sim/offer-target", "POST"):
                {
                    // ac adm release import-manifest: with the target's ProductManifest the upgrade controller lists it in
                    // status.availableUpdates [doc release-4.3 CLI "Before You Start", "Creating a ProductManifest"].
                    // Answers what the operator offered before, or null when it offered the target already or there is none.
                    var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                    var version = body.Str("version") ?? throw ApiException.BadRequest("version is required");
                    var before = ClusterVersionShadowController.Offer(cluster.Store, version);
                    await KubeStatus.WriteJsonAsync(ctx, new JsonObject { ["offeredBefore"] = before is null ? null : new JsonArray([.. before.Select(v => (JsonNode)v)]) });
                    break;
                }

            case ("/_sim/monitor", "POST"):
                {
                    var over = await JsonSerializer.DeserializeAsync<MonitorOverride>(ctx.Request.Body, Json, ctx.RequestAborted);
                    cluster.MonitorOverride = over is { Reset: true } ? null : over;
                    ctx.Response.StatusCode = 204;
                    break;
                }

            case ("/_sim/monitor", "DELETE"):
                cluster.MonitorOverride = null;
                ctx.Response.StatusCode = 204;
                break;
            case ("/_sim/compact", "POST"):
                cluster.Store.Compact();
                ctx.Response.StatusCode = 204;
                break;
            case ("/_sim/watch-history", "PUT"):
                {
                    // How many events the store keeps for resuming watches: a short history makes 410 Gone common.
                    var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                    var limit = body?["limit"]?.GetValue<int>() ?? throw ApiException.BadRequest("limit is required");
                    if (limit < 1)
                    {
                        throw ApiException.BadRequest("limit must be at least 1");
                    }

                    cluster.Store.HistoryLimit = limit;
                    await KubeStatus.WriteJsonAsync(ctx, new JsonObject { ["limit"] = limit, ["compactedUpTo"] = cluster.Store.CompactedUpTo });
                    break;
                }

            default:
                throw new ApiException(404, "NotFound", $"no admin endpoint {method} {path}");
        }
    }

    private static async Task<List<T>> ReadAsync<T>(HttpContext ctx)
    {
        var node = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        return node switch
        {
            JsonArray a => a.Deserialize<List<T>>(Json) ?? [],
            JsonObject o => [o.Deserialize<T>(Json)!],
            _ => throw ApiException.BadRequest("expected a JSON object or array"),
        };
    }

    private static async Task WriteAsync<T>(HttpContext ctx, T value)
    {
        ctx.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, value, Json, ctx.RequestAborted);
    }
}
