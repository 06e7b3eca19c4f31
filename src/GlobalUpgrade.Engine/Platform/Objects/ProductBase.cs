using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// The ProductBase "base" of a global cluster, typed: the one place its fields are picked apart
/// [schema crds/product-base.yaml]. Everyone who needs the platform's version, phase or URLs reads it here.
/// </summary>
public sealed record ProductBase
{
    /// <summary>status.version: the platform version the cluster runs; null while it is not reported.</summary>
    public string? Version { get; init; }

    /// <summary>status.phase.</summary>
    public string? Phase { get; init; }

    /// <summary>spec.platformURL.</summary>
    public string? PlatformUrl { get; init; }

    /// <summary>spec.alternativeURLs: on a DR standby it lists https://&lt;standby VIP&gt; [doc: install/global_dr.mdx].</summary>
    public IReadOnlyList<string> AlternativeUrls { get; init; } = [];

    /// <summary>The typed view of a ProductBase object; null for a missing object.</summary>
    public static ProductBase? From(JsonObject? productBase) => productBase is null
        ? null
        : new ProductBase
        {
            Version = NonEmpty(JsonPath.String(productBase, "status.version")),
            Phase = NonEmpty(JsonPath.String(productBase, "status.phase")),
            PlatformUrl = NonEmpty(JsonPath.String(productBase, "spec.platformURL")),
            AlternativeUrls = JsonPath.Node(productBase, "spec.alternativeURLs") is JsonArray urls
                ? urls.Select(u => u is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().Where(s => s.Length > 0).ToList()
                : [],
        };

    /// <summary>Reads the ProductBase of a cluster; null when the cluster has none.</summary>
    public static async Task<ProductBase?> ReadAsync(ClusterConnection cluster, CancellationToken cancellationToken) =>
        From(await cluster.GetAsync(AcpResources.ProductBases, null, AcpResources.ProductBaseName, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads the ProductBase and its version, or throws PlatformVersionUnknown naming the cluster.</summary>
    public static async Task<ProductBase> ReadWithVersionAsync(ClusterConnection cluster, CancellationToken cancellationToken) =>
        await ReadAsync(cluster, cancellationToken).ConfigureAwait(false) is { Version: not null } productBase
            ? productBase
            : throw VersionUnknown(cluster.Name, "Check that ACP is installed and healthy on it.");

    /// <summary>The hosts named by spec.alternativeURLs then spec.platformURL, in that order (no scheme, no brackets).</summary>
    public IEnumerable<string> UrlHosts() =>
        AlternativeUrls.Append(PlatformUrl)
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Host.Trim('[', ']') : null)
            .OfType<string>()
            .Where(h => h.Length > 0);

    /// <summary>
    /// The DR standby's VIP, the one rule for it: the first host of spec.alternativeURLs (https://&lt;standby VIP&gt;
    /// [doc: install/global_dr.mdx]), else of spec.platformURL, else the API server's host.
    /// </summary>
    public static string StandbyVipOf(ClusterConnection standby, ProductBase? productBase) =>
        productBase?.UrlHosts().FirstOrDefault() ?? standby.Endpoint.Server.Host.Trim('[', ']');

    /// <summary>True when spec.alternativeURLs lists https://&lt;host&gt; (any trailing slash, any case).</summary>
    public bool ListsAlternativeUrl(string host) =>
        AlternativeUrls.Any(u => string.Equals(u.TrimEnd('/'), $"https://{host}", StringComparison.OrdinalIgnoreCase));

    internal static GlobalUpgradeException VersionUnknown(string cluster, string advice) => new(
        ErrorIds.PlatformVersionUnknown,
        FailureCategory.ObjectNotFound,
        $"Cluster '{cluster}' has no productbases.product.alauda.io/{AcpResources.ProductBaseName} with a status.version, so its platform version is unknown. {advice}",
        cluster);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
