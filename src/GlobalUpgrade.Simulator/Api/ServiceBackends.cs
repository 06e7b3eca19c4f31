using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>Handles one proxied request; receives the path after <c>/proxy</c> (with a leading slash).</summary>
public delegate Task ServiceBackend(HttpContext context, string path);

/// <summary>The service endpoints of a cluster. A service without a backend answers 503, as one without ready endpoints does.</summary>
public sealed class ServiceBackends
{
    private readonly ConcurrentDictionary<string, ServiceBackend> backends = new();

    public void Set(string ns, string name, ServiceBackend backend) => backends[$"{ns}/{name}"] = backend;

    public void Remove(string ns, string name) => backends.TryRemove($"{ns}/{name}", out _);

    public ServiceBackend? Find(string ns, string name) => backends.TryGetValue($"{ns}/{name}", out var b) ? b : null;
}
