using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Platform;

/// <summary>Reads the running platform version: ProductBase "base" status.version [schema].</summary>
public static class PlatformVersionReader
{
    public static async Task<string> ReadAsync(Kubernetes.ClusterConnection cluster, CancellationToken cancellationToken) =>
        (await ProductBase.ReadWithVersionAsync(cluster, cancellationToken).ConfigureAwait(false)).Version!;
}
