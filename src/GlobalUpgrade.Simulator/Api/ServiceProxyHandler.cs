using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>
/// <c>/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/{path}</c>: forwards to the in-process backend
/// registered for the service, or answers 503 as the real API server does when the service has no endpoints.
/// </summary>
internal sealed class ServiceProxyHandler(SimCluster cluster)
{
    public async Task HandleAsync(HttpContext ctx, ApiRoute route)
    {
        // The name part may be "name", "name:port" or "scheme:name:port".
        var parts = route.Name!.Split(':');
        var name = parts.Length == 3 ? parts[1] : parts[0];
        var service = cluster.Store.Get(ResourceTypes.Services, route.Namespace, name) ?? throw ApiException.NotFound(ResourceTypes.Services, name);

        // As the API server: a port named in the path must be one of the service's (by number or by name).
        var port = parts.Length > 1 ? parts[^1] : "";
        if (port.Length > 0 && service["spec"]?["ports"] is JsonArray ports
            && !ports.Any(p => p?["port"]?.ToString() == port || p?["name"]?.ToString() == port))
        {
            throw new ApiException(503, "ServiceUnavailable", $"no service port \"{port}\" found for service \"{name}\"");
        }

        var backend = cluster.Services.Find(route.Namespace!, name);
        if (backend is null)
        {
            throw new ApiException(503, "ServiceUnavailable", $"no endpoints available for service \"{name}\"");
        }

        await backend(ctx, "/" + (route.Rest ?? ""));
    }
}
