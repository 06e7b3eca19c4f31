using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// Reads ClusterVersionShadow cpaas-system/global (4.3+) where the cluster serves it: its API group and version are
/// not documented, so they come from API discovery, with today's assumption as the fallback
/// (<see cref="ClusterVersionShadowDiscovery"/>). Read-only; null when the cluster has none.
/// </summary>
public static class ClusterVersionShadowReader
{
    public static async Task<JsonObject?> ReadAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var profile = new ComponentUpgradeProfile { Kind = ComponentUpgradeKind.ClusterVersionShadow };
        var resource = await ClusterVersionShadowDiscovery.ResolveAsync(cluster, cancellationToken).ConfigureAwait(false);
        OperationLog.Current.Verbose($"[{cluster.Name}] reading ClusterVersionShadow {profile.ClusterVersionShadowNamespace}/{profile.ClusterVersionShadowName} ({resource.ApiVersion}) status.preflight.");
        return await cluster.GetAsync(resource, profile.ClusterVersionShadowNamespace, profile.ClusterVersionShadowName, cancellationToken).ConfigureAwait(false);
    }
}
