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

    /// <summary>
    /// The most pages one list may take (50,000 objects of a kind — far beyond any ACP kind we list) and the most
    /// time: a server whose continue token never ends must fail the call, not page forever.
    /// </summary>
    internal static int MaxPages { get; set; } = 100;

    internal static TimeSpan ListDeadline { get; set; } = TimeSpan.FromMinutes(5);

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

    /// <summary>
    /// Lists custom objects, following continue tokens so large lists arrive whole — within <see cref="MaxPages"/>
    /// pages and <see cref="ListDeadline"/>, and never the same token twice. A page that is not a list (no items
    /// array, e.g. a "{}" body) is an error: an empty set must be one the server said is empty.
    /// </summary>
    public Task<IReadOnlyList<JsonObject>> ListAsync(AcpResource resource, string? ns, string? labelSelector, CancellationToken cancellationToken)
    {
        var what = $"listing {resource}";
        return CallAsync(what, async (client, ct) =>
        {
            var items = new List<JsonObject>();
            var seenTokens = new HashSet<string>(StringComparer.Ordinal);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            string? continueToken = null;
            for (var pages = 1; ; pages++)
            {
                var page = resource.Namespaced && ns is not null
                    ? await client.CustomObjects.ListNamespacedCustomObjectAsync(resource.Group, resource.Version, ns, resource.Plural, continueParameter: continueToken, labelSelector: labelSelector, limit: PageSize, cancellationToken: ct).ConfigureAwait(false)
                    : await client.CustomObjects.ListClusterCustomObjectAsync(resource.Group, resource.Version, resource.Plural, continueParameter: continueToken, labelSelector: labelSelector, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
                var list = ToJson(page);
                if (list is null || !list.TryGetPropertyValue("items", out var itemsNode) || itemsNode is not (JsonArray or null))
                {
                    throw AnswerUnreadable(what, $"a page that is not a list (no items array): '{Shorten(list?.ToJsonString() ?? "")}'");
                }

                items.AddRange(JsonPath.Objects(list, "items").Select(o => (JsonObject)o.DeepClone()));
                continueToken = JsonPath.String(list, "metadata.continue");
                if (string.IsNullOrEmpty(continueToken))
                {
                    return (IReadOnlyList<JsonObject>)items;
                }

                if (!seenTokens.Add(continueToken))
                {
                    throw PagingExceeded(what, $"the server sent the same continue token twice after {pages} pages ({items.Count} objects), so the list would never end");
                }

                if (pages >= MaxPages || clock.Elapsed > ListDeadline)
                {
                    throw PagingExceeded(what, $"the list did not end within {(pages >= MaxPages ? $"{MaxPages} pages" : $"{ListDeadline.TotalMinutes:0} minutes")} ({pages} pages, {items.Count} objects) — its continue token never runs out");
                }
            }
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

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;

    private GlobalUpgradeException AnswerUnreadable(string what, string answer) =>
        KubeErrorTranslator.AnswerUnreadable(Endpoint, what, answer, null);

    private GlobalUpgradeException PagingExceeded(string what, string why) => new(
        ErrorIds.ListPagingExceeded,
        FailureCategory.OperationTimeout,
        $"The API server {Endpoint.HostAndPort} (context '{Endpoint.Context}') kept paging while {what}: {why}. Nothing was concluded from the partial list. Check the API server (and any proxy in front of it) and retry.",
        Endpoint.Context);
}
