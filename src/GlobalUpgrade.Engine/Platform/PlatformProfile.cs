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
/// What differs between ACP versions, in one place. Facts are marked [doc]/[assumed] (acp/README.md); every
/// [assumed] value can be overridden by a cmdlet parameter, so a field engineer can correct it without a rebuild.
/// The etcd synchronizer's facts are those of the version's <see cref="EtcdSyncLine"/>.
/// </summary>
public sealed record PlatformProfile
{
    public required PlatformVersion Version { get; init; }

    public required ComponentUpgradeKind ComponentUpgrade { get; init; }

    /// <summary>The etcd synchronizer of this version's line (install form, leader detection, removal).</summary>
    public EtcdSyncLine EtcdSyncLine => EtcdSyncLine.For(Version);

    public EtcdSyncKind EtcdSync => EtcdSyncLine.Kind;

    /// <summary>[doc] 3.16 and 3.18 remove the synchronizer on the primary, 4.x on the standby.</summary>
    public ClusterRole EtcdSyncHost => EtcdSync == EtcdSyncKind.StandbyPlugin ? ClusterRole.Standby : ClusterRole.Primary;

    /// <summary>[assumed] cpaas.io/module-name of the synchronizer plugin of this version.</summary>
    public string? EtcdSyncModuleName => EtcdSyncLine.ModuleName;

    /// <summary>[doc] 4.3+ upgrade.sh has --preflight.</summary>
    public bool HasUpgradePreflight => Version.IsAtLeast(4, 3);

    /// <summary>[doc] 4.3+ upgrade.sh has --skip-check-artifacts (release-4.3 upgrade_global_cluster.mdx "Sync upgrade artifacts").</summary>
    public bool HasSkipCheckArtifacts => Version.IsAtLeast(4, 3);

    /// <summary>
    /// Whether upgrading a DR standby to this version requires https://&lt;standby VIP&gt; in its ProductBase
    /// spec.alternativeURLs: always before 4.3 [doc release-4.0..4.2 upgrade/upgrade_global_cluster.mdx "Upgrade the
    /// standby cluster"]; from 4.3 only "if you will use the Web Console on the standby" [doc release-4.3 same page].
    /// </summary>
    public bool RequiresStandbyAlternativeUrl => ComponentUpgrade == ComponentUpgradeKind.ClusterModule;

    public EtcdSyncProfile EtcdSyncDetails { get; init; } = EtcdSyncProfile.Default;

    public static PlatformProfile For(PlatformVersion version) => new()
    {
        Version = version,
        ComponentUpgrade = version.IsAtLeast(4, 3) ? ComponentUpgradeKind.ClusterVersionShadow : ComponentUpgradeKind.ClusterModule,
    };
}
