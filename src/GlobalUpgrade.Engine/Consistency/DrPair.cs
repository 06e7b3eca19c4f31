using System.Net;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using k8s;
using k8s.Autorest;

namespace GlobalUpgrade.Consistency;

/// <summary>
/// A DR pair is two clusters. Comparing a cluster with itself passes every check and proves nothing, so it is
/// refused: the same connection, two connections to one API server, or two servers (a VIP and a node address)
/// of one cluster — told by the uid of its kube-system namespace, which every Kubernetes cluster has and no two share.
/// </summary>
public static class DrPair
{
    private const string IdentityNamespace = "kube-system";

    public static async Task EnsureDistinctAsync(ClusterConnection primary, ClusterConnection standby, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(primary, standby) || SameServer(primary.Endpoint.Server, standby.Endpoint.Server))
        {
            throw Same(primary, standby, $"both point at the API server {primary.Endpoint.HostAndPort}");
        }

        var ids = await Task.WhenAll(IdentityAsync(primary, cancellationToken), IdentityAsync(standby, cancellationToken)).ConfigureAwait(false);
        if (ids[0] is { Length: > 0 } id && string.Equals(id, ids[1], StringComparison.Ordinal))
        {
            throw Same(primary, standby, $"{primary.Endpoint.HostAndPort} and {standby.Endpoint.HostAndPort} serve one cluster (namespace {IdentityNamespace} has uid {id} on both)");
        }
    }

    private static bool SameServer(Uri a, Uri b) =>
        string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    /// <summary>The cluster's identity, or null when it cannot be read (then the other checks will say why).</summary>
    private static Task<string?> IdentityAsync(ClusterConnection cluster, CancellationToken cancellationToken) =>
        cluster.CallAsync($"reading namespace {IdentityNamespace}", async (client, ct) =>
        {
            try
            {
                var ns = await client.CoreV1.ReadNamespaceAsync(IdentityNamespace, cancellationToken: ct).ConfigureAwait(false);
                return ns?.Metadata?.Uid;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
            {
                return null;
            }
        }, cancellationToken);

    private static GlobalUpgradeException Same(ClusterConnection primary, ClusterConnection standby, string how) => new(
        ErrorIds.DrPairSameCluster,
        FailureCategory.InvalidArgument,
        $"The primary '{primary.Name}' and the standby '{standby.Name}' are one cluster: {how}. A cluster compared with itself is always \"consistent\", so nothing would be checked. Connect the standby with its own kubeconfig context (Connect-GlobalCluster -Role Standby) and pass it as -Standby.",
        $"{primary.Name},{standby.Name}");
}
