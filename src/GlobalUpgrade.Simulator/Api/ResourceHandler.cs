using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>The REST verbs on stored resources: list, get, create, replace, patch, delete (and their /status forms).</summary>
internal sealed class ResourceHandler(SimCluster cluster, WatchStreamer watches)
{
    private ObjectStore Store => cluster.Store;

    public async Task HandleAsync(HttpContext ctx, ApiRoute route)
    {
        var method = ctx.Request.Method;
        if (route.Subresource is not null and not "status")
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        var statusMode = route.Subresource == "status";
        switch (method)
        {
            case "GET" when route.Name is null:
                if (IsTrue(ctx.Request.Query["watch"]))
                {
                    await watches.StreamAsync(ctx, route);
                }
                else
                {
                    await ListAsync(ctx, route);
                }

                break;
            case "GET":
                {
                    var obj = Store.Get(route.Type, route.Namespace, route.Name) ?? throw ApiException.NotFound(route.Type, route.Name);
                    if (TableOutput.Wanted(ctx.Request) && !statusMode)
                    {
                        await KubeStatus.WriteJsonAsync(ctx, TableOutput.Build(route.Type, [obj], null, includeObject: IncludeObject(ctx.Request.Query)));
                    }
                    else
                    {
                        await WriteObjectAsync(ctx, route, obj);
                    }

                    break;
                }

            case "POST" when route.Name is null:
                {
                    var body = await ReadObjectAsync(ctx);
                    if (route.Type.Namespaced)
                    {
                        var bodyNs = body.Namespace();
                        if (bodyNs is not null && bodyNs != route.Namespace)
                        {
                            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
                        }

                        body.Metadata()["namespace"] = route.Namespace;
                    }

                    CheckKind(route, body);
                    ctx.Response.StatusCode = 201;
                    await WriteObjectAsync(ctx, route, Store.Create(route.Type, body));
                    break;
                }

            case "PUT" when route.Name is not null:
                {
                    var body = await ReadObjectAsync(ctx);
                    if (body.Name() != route.Name)
                    {
                        throw ApiException.BadRequest($"the name of the object ({body.Name()}) does not match the name on the URL ({route.Name})");
                    }

                    CheckKind(route, body);
                    if (route.Type.Namespaced)
                    {
                        body.Metadata()["namespace"] = route.Namespace;
                    }

                    await WriteObjectAsync(ctx, route, Store.Update(route.Type, body, statusMode ? WriteMode.Status : WriteMode.Api));
                    break;
                }

            case "PATCH" when route.Name is not null:
                await WriteObjectAsync(ctx, route, await PatchAsync(ctx, route, statusMode));
                break;
            case "DELETE" when route.Name is not null:
                await DeleteAsync(ctx, route);
                break;
            case "DELETE":
                await DeleteCollectionAsync(ctx, route);
                break;
            default:
                throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    public static bool IsTrue(string? value) => value is "true" or "1" or "True";

    /// <summary>includeObject=Object: a table row carries the whole object, not only its metadata.</summary>
    public static bool IncludeObject(IQueryCollection q) => q["includeObject"] == "Object";

    private async Task ListAsync(HttpContext ctx, ApiRoute route)
    {
        var q = ctx.Request.Query;
        var labels = LabelSelector.Parse(q["labelSelector"]);
        var fields = FieldSelector.Parse(q["fieldSelector"], route.Type);
        List<JsonObject> all;
        long rv;
        string? after = null;
        if (!string.IsNullOrEmpty(q["continue"]))
        {
            // A continue token names the snapshot (its resourceVersion) and the last key served: the next page is read
            // from that same snapshot, as etcd reads an older revision, whatever changed since (410 once compacted).
            (rv, after) = DecodeContinue(q["continue"]!);
            all = Store.ListAt(route.Type, route.Namespace, rv);
        }
        else
        {
            (all, rv) = Store.List(route.Type, route.Namespace);
        }

        var items = all.Where(o => labels.Matches(o.Labels()) && fields.Matches(o) && (after is null || string.CompareOrdinal(SortKey(o), after) > 0)).ToList();

        var meta = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) };
        if (int.TryParse(q["limit"], out var limit) && limit > 0 && items.Count > limit)
        {
            meta["remainingItemCount"] = items.Count - limit;
            items = items.Take(limit).ToList();
            meta["continue"] = EncodeContinue(rv, SortKey(items[^1]));
        }

        if (TableOutput.Wanted(ctx.Request))
        {
            await KubeStatus.WriteJsonAsync(ctx, TableOutput.Build(route.Type, items, meta.Str("resourceVersion"), meta.Str("continue"), IncludeObject(q)));
            return;
        }

        var list = new JsonObject
        {
            ["kind"] = route.Type.ListKind,
            ["apiVersion"] = route.ApiVersion,
            ["metadata"] = meta,
            ["items"] = new JsonArray(items.Select(o => (JsonNode)Present(route, o)).ToArray()),
        };
        await KubeStatus.WriteJsonAsync(ctx, list);
    }

    private async Task<JsonObject> PatchAsync(HttpContext ctx, ApiRoute route, bool statusMode)
    {
        var contentType = ctx.Request.ContentType?.Split(';')[0].Trim() ?? "";
        var patch = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted)
            ?? throw ApiException.BadRequest("empty patch");
        if (contentType == "application/strategic-merge-patch+json" && route.Type.IsCustom)
        {
            // Custom resources have no patch strategy: the API server refuses strategic merge patches on them.
            throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        Func<JsonObject, JsonObject> apply = contentType switch
        {
            "application/merge-patch+json" =>
                current => (JsonObject)Patches.Merge(current, patch)!,
            "application/strategic-merge-patch+json" when patch is JsonObject strategic =>
                current => StrategicMergePatch.Apply(current, strategic, route.Type.Kind),
            "application/strategic-merge-patch+json" =>
                throw ApiException.BadRequest("a strategic merge patch must be a JSON object"),
            "application/json-patch+json" when patch is JsonArray ops =>
                current => Patches.Json(current, ops) as JsonObject ?? throw ApiException.BadRequest("patch result is not an object"),
            "application/apply-patch+yaml" =>
                throw new ApiException(415, "UnsupportedMediaType", "server-side apply is not supported by the simulator"),
            _ => throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"),
        };
        return Store.Mutate(route.Type, route.Namespace, route.Name!, apply, statusMode ? WriteMode.Status : WriteMode.Api);
    }

    private async Task DeleteAsync(HttpContext ctx, ApiRoute route)
    {
        string? uid = null;
        if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            var options = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            uid = options.Str("preconditions.uid");
        }

        var (obj, removed) = Store.Delete(route.Type, route.Namespace, route.Name!, uid);
        if (obj.Finalizers().Count > 0 || !removed || route.Type.IsCore || route.Type.Group is "apps" or "batch" or "coordination.k8s.io")
        {
            await WriteObjectAsync(ctx, route, obj);
        }
        else
        {
            await KubeStatus.WriteJsonAsync(ctx, KubeStatus.Success(route.Type, obj));
        }
    }

    private async Task DeleteCollectionAsync(HttpContext ctx, ApiRoute route)
    {
        var labels = LabelSelector.Parse(ctx.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(ctx.Request.Query["fieldSelector"], route.Type);
        var (all, _) = Store.List(route.Type, route.Namespace);
        var deleted = new JsonArray();
        foreach (var o in all.Where(o => labels.Matches(o.Labels()) && fields.Matches(o)))
        {
            try
            {
                deleted.Add(Present(route, Store.Delete(route.Type, o.Namespace(), o.Name()).Object));
            }
            catch (ApiException e) when (e.Code == 404)
            {
            }
        }

        await KubeStatus.WriteJsonAsync(ctx, new JsonObject
        {
            ["kind"] = route.Type.ListKind,
            ["apiVersion"] = route.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = deleted,
        });
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
    {
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject
                ?? throw ApiException.BadRequest("the request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    private static void CheckKind(ApiRoute route, JsonObject body)
    {
        var kind = body.Str("kind");
        if (kind is not null && kind != route.Type.Kind)
        {
            throw ApiException.BadRequest($"the API version in the data ({body.Str("apiVersion")}) does not match the expected API version ({route.ApiVersion})");
        }
    }

    /// <summary>The object as the client asked for it: apiVersion of the requested version.</summary>
    public static JsonObject Present(ApiRoute route, JsonObject obj)
    {
        if (route.Version != route.Type.Version)
        {
            obj["apiVersion"] = route.ApiVersion;
        }

        return obj;
    }

    private static Task WriteObjectAsync(HttpContext ctx, ApiRoute route, JsonObject obj) =>
        KubeStatus.WriteJsonAsync(ctx, Present(route, obj));

    private static string SortKey(JsonObject o) => $"{o.Namespace()}/{o.Name()}";

    private static string EncodeContinue(long rv, string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = key }.ToJsonString(JsonText.Options)));

    private static (long ResourceVersion, string After) DecodeContinue(string token)
    {
        try
        {
            var node = JsonNode.Parse(Convert.FromBase64String(token));
            var rv = long.TryParse(node.Str("rv"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;
            return (rv, node.Str("start") ?? throw ApiException.BadRequest("invalid continue token"));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}
