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
/// </summary>
public sealed record PlatformProfile
{
    public required PlatformVersion Version { get; init; }

    public required EtcdSyncKind EtcdSync { get; init; }

    /// <summary>[doc] 3.16 and 3.18 remove the synchronizer on the primary, 4.x on the standby.</summary>
    public ClusterRole EtcdSyncHost => EtcdSync == EtcdSyncKind.StandbyPlugin ? ClusterRole.Standby : ClusterRole.Primary;

    /// <summary>[assumed] cpaas.io/module-name of the synchronizer plugin of this version (3.18: "etcdsync"; 4.x: "etcd-sync").</summary>
    public string? EtcdSyncModuleName { get; init; }

    public required ComponentUpgradeKind ComponentUpgrade { get; init; }

    /// <summary>[doc] 4.3+ upgrade.sh has --preflight.</summary>
    public bool HasUpgradePreflight => Version.IsAtLeast(4, 3);

    /// <summary>[doc] 4.3.1+ runs job etcd-sync-bootstrap before the synchronizer.</summary>
    public bool HasEtcdSyncBootstrapJob => Version.IsAtLeast(4, 3, 1);

    public EtcdSyncProfile EtcdSyncDetails { get; init; } = EtcdSyncProfile.Default;

    /// <summary>[doc] 3.16 Helm era: what to delete through the API (namespace kube-system) and the Helm release.</summary>
    public static readonly IReadOnlyList<string> HelmEraConfigMapsAndSecrets = ["etcd-master-mirror-cert", "etcd-slave-mirror-cert", "etcd-sync-env", "etcd-sync-ignore-text"];

    public const string HelmEraNamespace = "kube-system";
    public const string HelmEraDeployment = "etcd-mirror-etcd-mirror";
    public const string HelmEraRelease = "etcd-sync";

    /// <summary>[doc] The namespaces the Helm release was installed in; `helm3 del` runs once per namespace.</summary>
    public static readonly IReadOnlyList<string> HelmEraReleaseNamespaces = ["default", "cpaas-system"];

    public static PlatformProfile For(PlatformVersion version) => version switch
    {
        { Major: 3, Minor: < 18 } => new() { Version = version, EtcdSync = EtcdSyncKind.HelmRelease, ComponentUpgrade = ComponentUpgradeKind.ClusterModule },
        { Major: 3 } => new() { Version = version, EtcdSync = EtcdSyncKind.PrimaryPlugin, EtcdSyncModuleName = "etcdsync", ComponentUpgrade = ComponentUpgradeKind.ClusterModule },
        _ when version.IsAtLeast(4, 3) => new() { Version = version, EtcdSync = EtcdSyncKind.StandbyPlugin, EtcdSyncModuleName = EtcdSyncProfile.Default.ModuleName, ComponentUpgrade = ComponentUpgradeKind.ClusterVersionShadow },
        _ => new() { Version = version, EtcdSync = EtcdSyncKind.StandbyPlugin, EtcdSyncModuleName = EtcdSyncProfile.Default.ModuleName, ComponentUpgrade = ComponentUpgradeKind.ClusterModule },
    };
}
