using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Session;

namespace GlobalUpgrade.Commands.EtcdSync;

/// <summary>Which connection hosts the synchronizer and which platform profile applies, for the EtcdSync cmdlets.</summary>
internal static class EtcdSyncTargets
{
    public static ClusterConnection? TryByRole(ConnectionRegistry connections, ClusterRole role) =>
        connections.All.Count(c => c.Info.Role == role) == 1 ? connections.ByRole(role) : null;

    /// <summary>
    /// The cluster the synchronizer lives on: -Cluster, or the role the pair's version says (from the primary, else the
    /// standby: 4.x standby, 3.x primary); and the profile of that cluster's own version (mid-upgrade the standby runs
    /// the newer one, and its plugin is the one to act on).
    /// </summary>
    public static (ClusterConnection Host, PlatformProfile Profile) Resolve(ConnectionRegistry connections, string? cluster, EtcdSyncProfile details)
    {
        var named = cluster is null ? null : connections.Get(cluster);
        var versionSource = named ?? TryByRole(connections, ClusterRole.Primary) ?? connections.ByRole(ClusterRole.Standby);
        var host = named ?? connections.ByRole(PlatformProfile.For(PlatformVersion.Parse(versionSource.Info.PlatformVersion)).EtcdSyncHost);
        return (host, PlatformProfile.For(PlatformVersion.Parse(host.Info.PlatformVersion)) with { EtcdSyncDetails = details });
    }
}
