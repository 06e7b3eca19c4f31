namespace GlobalUpgrade.Platform;

/// <summary>How the etcd synchronizer of a DR pair is installed on a given platform version [doc].</summary>
public enum EtcdSyncKind
{
    /// <summary>3.16: a Helm release plus config maps, secrets and a deployment in kube-system, on the primary.</summary>
    HelmRelease,

    /// <summary>3.18: the cluster plugin "EtcdSync", on the primary.</summary>
    PrimaryPlugin,

    /// <summary>4.0 and later: the cluster plugin "Alauda Container Platform etcd Synchronizer", on the standby.</summary>
    StandbyPlugin,
}

/// <summary>How the functional components are upgraded after upgrade.sh --skip-sync-image.</summary>
public enum ComponentUpgradeKind
{
    /// <summary>Before 4.3: the console's "Upgrade" button, i.e. the cluster's ClusterModule [assumed write].</summary>
    ClusterModule,

    /// <summary>4.3 and later: the Cluster Version Operator through ClusterVersionShadow spec.desiredUpdate [doc].</summary>
    ClusterVersionShadow,
}

/// <summary>
/// A platform version with the facts of its <see cref="PlatformLine"/> and the synchronizer's overridable details.
/// Facts are marked [doc]/[assumed] in <see cref="PlatformLine"/>; every [assumed] value of
/// <see cref="EtcdSyncDetails"/> can be overridden by a cmdlet parameter, without a rebuild.
/// </summary>
public sealed record PlatformProfile
{
    public required PlatformVersion Version { get; init; }

    /// <summary>The documented line the version belongs to: every version-dependent fact.</summary>
    public PlatformLine Line => PlatformLine.For(Version);

    /// <summary>The etcd synchronizer of this version's line (install form, leader detection, removal).</summary>
    public EtcdSyncLine EtcdSyncLine => Line.EtcdSync;

    public EtcdSyncKind EtcdSync => EtcdSyncLine.Kind;

    /// <summary>Where the synchronizer runs and is removed (<see cref="EtcdSyncLine.Host"/>).</summary>
    public ClusterRole EtcdSyncHost => EtcdSyncLine.Host;

    /// <summary>[assumed] cpaas.io/module-name of the synchronizer plugin of this version.</summary>
    public string? EtcdSyncModuleName => EtcdSyncLine.ModuleName;

    public EtcdSyncProfile EtcdSyncDetails { get; init; } = new();

    public static PlatformProfile For(PlatformVersion version) => new() { Version = version };
}
