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

    /// <summary>The group/version that serves <paramref name="plural"/>, looked up in every group's preferred and other versions; null when none does.</summary>
    public static async Task<(string Group, string Version)?> FindResourceAsync(ClusterConnection cluster, JsonObject groupList, string plural, string preferredGroup, CancellationToken cancellationToken)
    {
        // The default group first: on most clusters that is where it lives, and it spares reading every group.
        var groups = JsonPath.Objects(groupList, "groups")
            .OrderBy(g => JsonPath.String(g, "name") == preferredGroup ? 0 : 1)
            .ToList();
        foreach (var group in groups)
        {
            var name = JsonPath.String(group, "name") ?? "";
            var versions = JsonPath.Objects(group, "versions").Select(v => JsonPath.String(v, "version")).OfType<string>()
                .OrderBy(v => v == JsonPath.String(group, "preferredVersion.version") ? 0 : 1);
            foreach (var version in versions)
            {
                var list = await GetAsync(cluster, $"apis/{name}/{version}", cancellationToken).ConfigureAwait(false);
                if (JsonPath.Objects(list, "resources").Any(r => JsonPath.String(r, "name") == plural))
                {
                    return (name, version);
                }
            }
        }

        return null;
    }
}
