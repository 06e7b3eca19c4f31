using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Platform;

/// <summary>
/// Where a cluster serves ClusterVersionShadow. The docs give only the kind and the short name <c>cvsh</c>
/// [doc: release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx], not its API group and version, so they are found
/// through API discovery: first the assumed place (<see cref="AcpResources.ClusterVersionShadows"/>), then every group
/// the server lists. When discovery finds nothing or cannot be read, the assumption is used. One answer per connection.
/// </summary>
public static class ClusterVersionShadowDiscovery
{
    public const string Kind = "ClusterVersionShadow";
    public const string ShortName = "cvsh";

    /// <summary>How long "not served (yet)" is believed: the 4.3 trigger deploys the operator during a run.</summary>
    private static readonly TimeSpan NotFoundTtl = TimeSpan.FromMinutes(1);

    private static readonly ConditionalWeakTable<ClusterConnection, Answer> Answers = new();

    private sealed record Answer(AcpResource Resource, bool Discovered, DateTimeOffset At);

    public static async Task<AcpResource> ResolveAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        if (Answers.TryGetValue(cluster, out var known) && (known.Discovered || DateTimeOffset.UtcNow - known.At < NotFoundTtl))
        {
            return known.Resource;
        }

        AcpResource? found;
        try
        {
            found = await DiscoverAsync(cluster, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            OperationLog.Current.Verbose($"[{cluster.Name}] API discovery of {Kind} failed ({ex.Message.Split('\n')[0]}); assuming {AcpResources.ClusterVersionShadows.ApiVersion}.");
            found = null;
        }

        var answer = new Answer(found ?? AcpResources.ClusterVersionShadows, found is not null, DateTimeOffset.UtcNow);
        Answers.AddOrUpdate(cluster, answer);
        return answer.Resource;
    }

    /// <summary>Where a profile's component object lives: the ClusterModules, or the discovered ClusterVersionShadows.</summary>
    public static async Task<AcpResource> ForAsync(ClusterConnection cluster, ComponentUpgradeProfile profile, CancellationToken cancellationToken) =>
        profile.Kind == ComponentUpgradeKind.ClusterModule ? AcpResources.ClusterModules : await ResolveAsync(cluster, cancellationToken).ConfigureAwait(false);

    /// <summary>The resource named by kind <c>ClusterVersionShadow</c> (or short name <c>cvsh</c>) in one APIResourceList.</summary>
    public static AcpResource? FromResourceList(JsonObject? list)
    {
        var served = ApiResourceList.From(list);
        if (served.GroupVersion is not { } groupVersion)
        {
            return null;
        }

        var slash = groupVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", groupVersion) : (groupVersion[..slash], groupVersion[(slash + 1)..]);
        var match = served.Resources.FirstOrDefault(r => r.Name.Length > 0 && !r.IsSubresource && (r.Kind == Kind || r.ShortNames.Contains(ShortName)));
        return match is null ? null : new AcpResource(group, version, match.Name, match.Namespaced);
    }

    /// <summary>The group versions to look in, the assumed one first, then the others the server prefers.</summary>
    public static IEnumerable<string> Candidates(JsonObject? groupList)
    {
        yield return AcpResources.ClusterVersionShadows.ApiVersion;
        foreach (var group in ApiGroup.ListOf(groupList))
        {
            if (group.PreferredGroupVersion is { } preferred && preferred != AcpResources.ClusterVersionShadows.ApiVersion)
            {
                yield return preferred;
            }
        }
    }

    /// <summary>Where the cluster serves it, or null when discovery finds it nowhere (no assumption, no cache: the snapshot records what it finds).</summary>
    public static Task<AcpResource?> FindAsync(ClusterConnection cluster, CancellationToken cancellationToken) => DiscoverAsync(cluster, cancellationToken);

    private static async Task<AcpResource?> DiscoverAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"[{cluster.Name}] finding {Kind} through API discovery (GET /apis/...).");
        var assumed = FromResourceList(await GetAsync(cluster, "/apis/" + AcpResources.ClusterVersionShadows.ApiVersion, cancellationToken).ConfigureAwait(false));
        if (assumed is not null)
        {
            return assumed;
        }

        var groups = await GetAsync(cluster, "/apis", cancellationToken).ConfigureAwait(false);
        foreach (var groupVersion in Candidates(groups).Skip(1))
        {
            if (FromResourceList(await GetAsync(cluster, "/apis/" + groupVersion, cancellationToken).ConfigureAwait(false)) is { } found)
            {
                OperationLog.Current.Verbose($"[{cluster.Name}] {Kind} is served as {found}/{found.Version}.");
                return found;
            }
        }

        return null;
    }

    // A discovery document, or null when the server does not serve that path (404).
    private static Task<JsonObject?> GetAsync(ClusterConnection cluster, string path, CancellationToken cancellationToken) =>
        cluster.CallAsync($"reading API discovery {path}", async (client, ct) =>
        {
            if (client is not k8s.Kubernetes kube)
            {
                return null;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kube.BaseUri, path.TrimStart('/')));
            request.Headers.Accept.ParseAdd("application/json");
            if (kube.Credentials is not null)
            {
                await kube.Credentials.ProcessHttpRequestAsync(request, ct).ConfigureAwait(false);
            }

            using var response = await kube.HttpClient.SendAsync(request, ct).ConfigureAwait(false);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }

            response.EnsureSuccessStatusCode();
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)) as JsonObject;
        }, cancellationToken);
}
