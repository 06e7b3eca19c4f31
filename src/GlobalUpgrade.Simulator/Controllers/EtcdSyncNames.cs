namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// Names of the etcd synchronizer's objects. The module name is an ASSUMPTION (docs/platform-versions.md: not published);
/// the runtime names (pods, lease, service, job) are documented.
/// </summary>
public static class EtcdSyncNames
{
    /// <summary>[assumed] <c>cpaas.io/module-name</c> of "Alauda Container Platform etcd Synchronizer" (4.0+).</summary>
    public const string ModuleName = "etcd-sync";

    /// <summary>The 3.18 plugin "EtcdSync" (installed on the primary).</summary>
    public const string ModuleName318 = "etcdsync";

    public const string Namespace = "cpaas-system";
    public const string Deployment = "etcd-sync";
    public const string PodLabelKey = "app";
    public const string PodLabelValue = "etcd-sync";
    public const string Lease = "etcd-sync-mirror";
    public const string MonitorService = "etcd-sync-monitor";
    public const int MonitorPort = 80;
    public const string BootstrapJob = "etcd-sync-bootstrap";

    /// <summary>Secret on the standby (key <c>token</c>) with the primary's token, created before install on 4.3.1+ (release-4.3 upgrade_global_cluster.mdx).</summary>
    public const string ActiveClusterTokenSecret = "etcd-sync-active-cluster-token";

    /// <summary>The primary's secret whose <c>token</c> the standby's secret must hold.</summary>
    public const string TokenSourceSecret = "k8sadmin";

    /// <summary>[assumed] The finalizer the platform puts on a ModuleInfo.</summary>
    public const string ModuleInfoFinalizer = "cpaas.io/moduleinfo-protection";

    public const string AcquiredLeaderLine = "Acquired leader lease";
    public const string StartSyncLine = "Start Sync update";

    /// <summary>Namespaces the synchronizer does not copy [doc release-4.3 install/global_dr.mdx "Notes"].</summary>
    public static readonly IReadOnlySet<string> UnsyncedNamespaces = new HashSet<string>(StringComparer.Ordinal)
    {
        "cpaas-system", "cert-manager", "default", "global-credentials", "cpaas-system-global-credentials", "kube-ovn",
        "kube-public", "kube-system", "nsx-system", "cpaas-solution", "kube-node-lease", "kubevirt", "nativestor-system", "operators",
    };
}
