namespace GlobalUpgrade.Snapshot;

/// <summary>
/// The snapshot file's shape (JSON), read back by the simulator's SnapshotSeeder:
/// <c>{ kind, formatVersion, takenAt, takenBy, clusters: [ { name, role, context, server, platformVersion,
/// kubernetesVersion, version, clusterVersionShadow: {group, version, plural}, discovery: { "&lt;group/version&gt;":
/// APIResourceList }, objects: [ ... ] } ] }</c>. Objects keep apiVersion and kind; secrets keep their keys with
/// empty values.
/// </summary>
public static class SnapshotFormat
{
    public const string Kind = "GlobalClusterSnapshot";

    public const int Version = 1;
}
