using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
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

                // A 200 without an object is not "does not exist": only a 404 says that.
                return ToJson(result) ?? throw AnswerUnreadable($"reading {resource} {Qualified(ns, name)}", "200 OK without an object");
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>Lists custom objects, every page (<see cref="ListPager"/>: bounded, and only real lists).</summary>
    public Task<IReadOnlyList<JsonObject>> ListAsync(AcpResource resource, string? ns, string? labelSelector, CancellationToken cancellationToken)
    {
        var what = $"listing {resource}";
        return CallAsync(what, async (client, ct) =>
        {
            var (items, _) = await ListPager.ReadAllAsync(
                async (token, pageToken) => ToJson(resource.Namespaced && ns is not null
                    ? await client.CustomObjects.ListNamespacedCustomObjectAsync(resource.Group, resource.Version, ns, resource.Plural, continueParameter: token, labelSelector: labelSelector, limit: PageSize, cancellationToken: pageToken).ConfigureAwait(false)
                    : await client.CustomObjects.ListClusterCustomObjectAsync(resource.Group, resource.Version, resource.Plural, continueParameter: token, labelSelector: labelSelector, limit: PageSize, cancellationToken: pageToken).ConfigureAwait(false)),
                KubeErrorTranslator.Describe(Endpoint),
                what,
                ct).ConfigureAwait(false);
            return (IReadOnlyList<JsonObject>)items;
        }, cancellationToken);
    }

    public void Dispose() => Client.Dispose();

    internal static JsonObject? ToJson(object? result) => result switch
    {
        null => null,
        JsonElement element => JsonNode.Parse(element.GetRawText()) as JsonObject,
        JsonObject obj => obj,
        _ => JsonNode.Parse(JsonSerializer.Serialize(result)) as JsonObject,
    };

    private static string Qualified(string? ns, string name) => ns is null ? name : $"{ns}/{name}";

    private GlobalUpgradeException AnswerUnreadable(string what, string answer) =>
        KubeErrorTranslator.AnswerUnreadable(Endpoint, what, answer, null);
}
