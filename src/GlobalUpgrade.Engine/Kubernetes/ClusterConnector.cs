using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Platform;
using k8s;

namespace GlobalUpgrade.Kubernetes;

/// <summary>What Connect-GlobalCluster asks for.</summary>
public sealed record ConnectRequest(string? Kubeconfig, string? Context, ClusterRole Role, string? Name, TimeSpan? ConnectTimeout = null, TimeSpan? RequestTimeout = null);

/// <summary>Opens a connection and proves it reaches a global cluster: /version, the tkestack Cluster "global", ProductBase "base".</summary>
public static class ClusterConnector
{
    public static async Task<ClusterConnection> ConnectAsync(ConnectRequest request, CancellationToken cancellationToken)
    {
        var path = KubeconfigReader.ResolvePath(request.Kubeconfig);
        var (client, endpoint) = KubeClientFactory.Create(path, request.Context, request.ConnectTimeout, request.RequestTimeout);
        var provisional = new ClusterConnection(
            new GlobalCluster
            {
                Name = request.Name ?? endpoint.Context,
                Role = request.Role,
                Context = endpoint.Context,
                Server = endpoint.Server,
                PlatformVersion = "",
                KubernetesVersion = "",
                Kubeconfig = path,
                User = endpoint.User,
            },
            client,
            endpoint);
        try
        {
            var version = await provisional.CallAsync("reading /version", (c, ct) => c.Version.GetCodeAsync(ct), cancellationToken).ConfigureAwait(false);
            var globalCluster = await provisional.GetAsync(AcpResources.Clusters, null, AcpResources.GlobalClusterName, cancellationToken).ConfigureAwait(false);
            if (globalCluster is null)
            {
                throw new GlobalUpgradeException(
                    ErrorIds.NotAGlobalCluster,
                    FailureCategory.InvalidArgument,
                    $"Context '{endpoint.Context}' ({endpoint.Server}) is not an ACP global cluster: it has no clusters.platform.tkestack.io/{AcpResources.GlobalClusterName}. Connect to the global cluster's kubeconfig, not a workload cluster's.",
                    endpoint.Context);
            }

            var productBase = await ProductBase.ReadAsync(provisional, cancellationToken).ConfigureAwait(false);
            if (productBase?.Version is not { } platformVersion)
            {
                throw new GlobalUpgradeException(
                    ErrorIds.PlatformVersionUnknown,
                    FailureCategory.ObjectNotFound,
                    $"Context '{endpoint.Context}' has no productbases.product.alauda.io/{AcpResources.ProductBaseName} with a status.version, so its platform version is unknown. Check that ACP is installed and healthy on it.",
                    endpoint.Context);
            }

            provisional.Info = new GlobalCluster
            {
                Name = provisional.Info.Name,
                Role = request.Role,
                Context = endpoint.Context,
                Server = endpoint.Server,
                PlatformVersion = platformVersion,
                PlatformPhase = productBase.Phase,
                KubernetesVersion = version.GitVersion ?? $"v{version.Major}.{version.Minor}",
                Kubeconfig = path,
                User = endpoint.User,
                ConnectedAt = DateTimeOffset.Now,
            };
            return provisional;
        }
        catch
        {
            provisional.Dispose();
            throw;
        }
    }
}
