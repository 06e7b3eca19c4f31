using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Platform;
using k8s;
using k8s.Autorest;

namespace GlobalUpgrade.Kubernetes;

/// <summary>
/// A live connection to one global cluster: its KubernetesClient, where it points, and what we learned on
/// connecting. Every call goes through <see cref="CallAsync{T}"/> so failures read the same everywhere.
/// </summary>
public sealed class ClusterConnection : IDisposable
{
    private const int PageSize = 500;

    public ClusterConnection(GlobalCluster info, IKubernetes client, ClusterEndpoint endpoint)
    {
        Info = info;
        Client = client;
        Endpoint = endpoint;
    }

    public GlobalCluster Info { get; internal set; }

    public string Name => Info.Name;

    public IKubernetes Client { get; }

    public ClusterEndpoint Endpoint { get; }

    public async Task<T> CallAsync<T>(string what, Func<IKubernetes, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(Client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (KubeErrorTranslator.Translate(ex, Endpoint, what, cancellationToken) is var translated && translated != ex)
        {
            throw translated;
        }
    }

    /// <summary>Gets a custom object, or null when it does not exist.</summary>
    public Task<JsonObject?> GetAsync(AcpResource resource, string? ns, string name, CancellationToken cancellationToken) =>
        CallAsync($"reading {resource} {Qualified(ns, name)}", async (client, ct) =>
        {
            try
            {
                var result = resource.Namespaced
                    ? await client.CustomObjects.GetNamespacedCustomObjectAsync(resource.Group, resource.Version, ns, resource.Plural, name, ct).ConfigureAwait(false)
                    : await client.CustomObjects.GetClusterCustomObjectAsync(resource.Group, resource.Version, resource.Plural, name, ct).ConfigureAwait(false);
                return ToJson(result);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>Lists custom objects, following continue tokens so large lists arrive whole.</summary>
    public Task<IReadOnlyList<JsonObject>> ListAsync(AcpResource resource, string? ns, string? labelSelector, CancellationToken cancellationToken) =>
        CallAsync($"listing {resource}", async (client, ct) =>
        {
            var items = new List<JsonObject>();
            string? continueToken = null;
            do
            {
                var page = resource.Namespaced && ns is not null
                    ? await client.CustomObjects.ListNamespacedCustomObjectAsync(resource.Group, resource.Version, ns, resource.Plural, continueParameter: continueToken, labelSelector: labelSelector, limit: PageSize, cancellationToken: ct).ConfigureAwait(false)
                    : await client.CustomObjects.ListClusterCustomObjectAsync(resource.Group, resource.Version, resource.Plural, continueParameter: continueToken, labelSelector: labelSelector, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
                var list = ToJson(page);
                items.AddRange(JsonPath.Objects(list, "items").Select(o => (JsonObject)o.DeepClone()));
                continueToken = JsonPath.String(list, "metadata.continue");
            }
            while (!string.IsNullOrEmpty(continueToken));
            return (IReadOnlyList<JsonObject>)items;
        }, cancellationToken);

    public void Dispose() => Client.Dispose();

    internal static JsonObject? ToJson(object? result) => result switch
    {
        null => null,
        JsonElement element => JsonNode.Parse(element.GetRawText()) as JsonObject,
        JsonObject obj => obj,
        _ => JsonNode.Parse(JsonSerializer.Serialize(result)) as JsonObject,
    };

    private static string Qualified(string? ns, string name) => ns is null ? name : $"{ns}/{name}";
}
