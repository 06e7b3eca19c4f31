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
    /// The profile of the pair's platform version (from -Cluster when given, else the primary, else the standby), and
    /// the cluster the synchronizer lives on: -Cluster, or the role the version says (4.x standby, 3.x primary).
    /// </summary>
    public static (ClusterConnection Host, PlatformProfile Profile) Resolve(ConnectionRegistry connections, string? cluster, EtcdSyncProfile details)
    {
        var named = cluster is null ? null : connections.Get(cluster);
        var versionSource = named ?? TryByRole(connections, ClusterRole.Primary) ?? connections.ByRole(ClusterRole.Standby);
        var profile = PlatformProfile.For(PlatformVersion.Parse(versionSource.Info.PlatformVersion)) with { EtcdSyncDetails = details };
        return (named ?? connections.ByRole(profile.EtcdSyncHost), profile);
    }
}
