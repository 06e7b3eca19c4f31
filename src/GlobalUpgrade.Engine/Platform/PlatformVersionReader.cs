using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform;

/// <summary>Reads the running platform version: ProductBase "base" status.version [schema].</summary>
public static class PlatformVersionReader
{
    public static async Task<string> ReadAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var productBase = await cluster.GetAsync(AcpResources.ProductBases, null, AcpResources.ProductBaseName, cancellationToken).ConfigureAwait(false);
        return JsonPath.String(productBase, "status.version") is { Length: > 0 } version
            ? version
            : throw new GlobalUpgradeException(
                ErrorIds.PlatformVersionUnknown,
                FailureCategory.ObjectNotFound,
                $"Cluster '{cluster.Name}' has no productbases.product.alauda.io/{AcpResources.ProductBaseName} with a status.version, so its platform version is unknown.",
                cluster.Name);
    }
}
