using System.Net;
using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Snapshot;

/// <summary>
/// Reads API discovery documents (<c>/apis</c>, <c>/apis/{group}/{version}</c>, <c>/api/v1</c>, <c>/version</c>) as
/// JSON: KubernetesClient has typed discovery for built-in groups only, so this sends the GET itself with the
/// client's own HTTP pipeline and credentials.
/// </summary>
public static class DiscoveryReader
{
    /// <summary>GETs <paramref name="path"/>; null when the server answers 404 (the group or version is not served).</summary>
    public static Task<JsonObject?> GetAsync(ClusterConnection cluster, string path, CancellationToken cancellationToken) =>
        cluster.CallAsync($"reading {path}", async (client, ct) =>
        {
            if (client is not k8s.Kubernetes k)
            {
                throw new InvalidOperationException("discovery needs the KubernetesClient implementation");
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(k.BaseUri, path.TrimStart('/')));
            if (k.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, ct).ConfigureAwait(false);
            }

            using var response = await k.HttpClient.SendAsync(request, ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw KubeErrorTranslator.FromStatus(response.StatusCode, body, cluster.Endpoint, $"reading {path}", null);
            }

            return JsonNode.Parse(body) as JsonObject;
        }, cancellationToken);
}
