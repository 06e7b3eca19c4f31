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
    private readonly SimCluster _cluster;
    private readonly ResourceHandler _resources;
    private readonly PodLogHandler _logs;
    private readonly ServiceProxyHandler _proxy;
    private readonly AdminApi _admin;

    public ClusterEndpoint(SimCluster cluster, AdminApi admin, TimeSpan bookmarkInterval, CancellationToken stopping)
    {
        _cluster = cluster;
        _admin = admin;
        _resources = new ResourceHandler(cluster, new WatchStreamer(cluster, bookmarkInterval, stopping));
        _logs = new PodLogHandler(cluster, stopping);
        _proxy = new ServiceProxyHandler(cluster);
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var isAdmin = path.StartsWith("/_sim/", StringComparison.Ordinal);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
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
                _cluster.Requests.Add(new RequestRecord(ctx.Request.Method, path + ctx.Request.QueryString, ctx.Response.StatusCode, started, clock.Elapsed.TotalMilliseconds));
            }
        }
    }

    private async Task ServeAsync(HttpContext ctx, string path, bool isAdmin)
    {
        var token = BearerToken(ctx);
        if (token != _cluster.Token && token != _cluster.ForbiddenToken)
        {
            await KubeStatus.WriteAsync(ctx, 401, "Unauthorized");
            return;
        }

        var isDiscovery = path is "/version" or "/version/" or "/api" or "/api/" or "/apis" or "/apis/";
        if (token == _cluster.ForbiddenToken && !isDiscovery)
        {
            await KubeStatus.WriteAsync(ctx, KubeStatus.Failure(403, "Forbidden",
                $"forbidden: User \"system:serviceaccount:cpaas-system:readonly\" cannot {ctx.Request.Method.ToLowerInvariant()} path \"{path}\""));
            return;
        }

        if (isAdmin)
        {
            await _admin.HandleAsync(ctx, _cluster, path);
            return;
        }

        var fault = _cluster.Faults.Match(ctx.Request.Method, path + ctx.Request.QueryString);
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
                await KubeStatus.WriteJsonAsync(ctx, Discovery.ApiVersions(_cluster.Server));
                return;
            case "/apis":
                await KubeStatus.WriteJsonAsync(ctx, Discovery.GroupList(_cluster.Store.ServedTypes));
                return;
            case "/api/v1":
                await KubeStatus.WriteJsonAsync(ctx, Discovery.ResourceList(_cluster.Store.ServedTypes, "", "v1")!);
                return;
        }

        var parts = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 2 or 3 && parts[0] == "apis")
        {
            var doc = parts.Length == 2 ? Discovery.Group(_cluster.Store.ServedTypes, parts[1]) : Discovery.ResourceList(_cluster.Store.ServedTypes, parts[1], parts[2]);
            if (doc is null)
            {
                throw new ApiException(404, "NotFound", "the server could not find the requested resource");
            }

            await KubeStatus.WriteJsonAsync(ctx, doc);
            return;
        }

        var route = ApiRoute.Parse(path, _cluster.Store.ServedTypes) ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        if (route.Type == ResourceTypes.Pods && route.Subresource == "log" && route.Name is not null && ctx.Request.Method == "GET")
        {
            await _logs.HandleAsync(ctx, route);
        }
        else if (route.Type == ResourceTypes.Services && route.Subresource == "proxy" && route.Name is not null)
        {
            await _proxy.HandleAsync(ctx, route);
        }
        else
        {
            await _resources.HandleAsync(ctx, route);
        }
    }

    private JsonObject Version()
    {
        var git = _cluster.Scenario.KubernetesVersion;
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
