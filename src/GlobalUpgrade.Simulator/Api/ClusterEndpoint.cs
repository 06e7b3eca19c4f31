using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Admin;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>
/// Everything one cluster's port serves: authentication, the request log, injected faults, then the admin API,
/// discovery, /version and the resource routes.
/// </summary>
internal sealed class ClusterEndpoint
{
    private readonly SimCluster cluster;
    private readonly ResourceHandler resources;
    private readonly PodLogHandler logs;
    private readonly ServiceProxyHandler proxy;
    private readonly AdminApi admin;

    public ClusterEndpoint(SimCluster cluster, AdminApi admin, TimeSpan bookmarkInterval, CancellationToken stopping)
    {
        this.cluster = cluster;
        this.admin = admin;
        resources = new ResourceHandler(cluster, new WatchStreamer(cluster, bookmarkInterval, stopping));
        logs = new PodLogHandler(cluster, stopping);
        proxy = new ServiceProxyHandler(cluster);
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var isAdmin = path.StartsWith("/_sim/", StringComparison.Ordinal);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var requestId = isAdmin ? 0 : cluster.Requests.Begin(ctx.Request.Method, path + ctx.Request.QueryString, started);
        try
        {
            await ServeAsync(ctx, path, isAdmin);
        }
        catch (ApiException e)
        {
            await TryWriteStatusAsync(ctx, KubeStatus.Failure(e));
        }
        catch (JsonException e)
        {
            await TryWriteStatusAsync(ctx, KubeStatus.Failure(400, "BadRequest", $"the request body is not valid JSON: {e.Message}"));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A simulator bug: tell the client what broke instead of an empty 500.
            await TryWriteStatusAsync(ctx, KubeStatus.Failure(500, "InternalError", $"simulator error: {e}"));
        }
        finally
        {
            if (!isAdmin)
            {
                cluster.Requests.End(requestId, new RequestRecord(ctx.Request.Method, path + ctx.Request.QueryString, ctx.Response.StatusCode, started, clock.Elapsed.TotalMilliseconds));
            }
        }
    }

    private async Task ServeAsync(HttpContext ctx, string path, bool isAdmin)
    {
        var token = BearerToken(ctx);
        if (token != cluster.Token && token != cluster.ForbiddenToken)
        {
            await KubeStatus.WriteAsync(ctx, 401, "Unauthorized");
            return;
        }

        var isDiscovery = path is "/version" or "/version/" or "/api" or "/api/" or "/apis" or "/apis/";
        if (token == cluster.ForbiddenToken && !isDiscovery)
        {
            await KubeStatus.WriteAsync(ctx, KubeStatus.Failure(403, "Forbidden",
                $"forbidden: User \"system:serviceaccount:cpaas-system:readonly\" cannot {ctx.Request.Method.ToLowerInvariant()} path \"{path}\""));
            return;
        }

        if (isAdmin)
        {
            await AdminApi.HandleAsync(ctx, cluster, path);
            return;
        }

        var fault = cluster.Faults.Match(ctx.Request.Method, path + ctx.Request.QueryString);
        if (fault is not null)
        {
            if (await FaultApplier.BeforeAsync(ctx, fault))
            {
                return;
            }

            if (fault.TruncateBodyAt is { } cut)
            {
                await FaultApplier.TruncatedAsync(ctx, cut, () => RouteAsync(ctx, path));
                return;
            }
        }

        await RouteAsync(ctx, path);
    }

    private async Task RouteAsync(HttpContext ctx, string path)
    {
        var trimmed = path.TrimEnd('/');
        switch (trimmed)
        {
            case "/version":
                await KubeStatus.WriteJsonAsync(ctx, Version());
                return;
            case "/api":
                await KubeStatus.WriteJsonAsync(ctx, Discovery.ApiVersions(cluster.Server));
                return;
            case "/apis":
                await KubeStatus.WriteJsonAsync(ctx, Discovery.GroupList(cluster.Store.ServedTypes));
                return;
            case "/api/v1":
                await KubeStatus.WriteJsonAsync(ctx, Discovery.ResourceList(cluster.Store.ServedTypes, "", "v1")!);
                return;
        }

        var parts = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 2 or 3 && parts[0] == "apis")
        {
            var doc = parts.Length == 2 ? Discovery.Group(cluster.Store.ServedTypes, parts[1]) : Discovery.ResourceList(cluster.Store.ServedTypes, parts[1], parts[2]);
            if (doc is null)
            {
                throw new ApiException(404, "NotFound", "the server could not find the requested resource");
            }

            await KubeStatus.WriteJsonAsync(ctx, doc);
            return;
        }

        var route = ApiRoute.Parse(path, cluster.Store.ServedTypes) ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        if (route.Type == ResourceTypes.Pods && route.Subresource == "log" && route.Name is not null && ctx.Request.Method == "GET")
        {
            await logs.HandleAsync(ctx, route);
        }
        else if (route.Type == ResourceTypes.Services && route.Subresource == "proxy" && route.Name is not null)
        {
            await proxy.HandleAsync(ctx, route);
        }
        else
        {
            await resources.HandleAsync(ctx, route);
        }
    }

    private JsonObject Version()
    {
        var git = cluster.Scenario.KubernetesVersion;
        var core = git.TrimStart('v').Split('-', '+')[0].Split('.');
        return new JsonObject
        {
            ["major"] = core.ElementAtOrDefault(0) ?? "1",
            ["minor"] = core.ElementAtOrDefault(1) ?? "0",
            ["gitVersion"] = git,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2024-12-10T00:00:00Z",
            ["goVersion"] = "go1.22.9",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    private static string? BearerToken(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private static async Task TryWriteStatusAsync(HttpContext ctx, JsonObject status)
    {
        if (ctx.Response.HasStarted)
        {
            ctx.Abort(); // too late for a status code; a broken stream is what the client would see
            return;
        }

        ctx.Response.Clear();
        await KubeStatus.WriteAsync(ctx, status);
    }
}
