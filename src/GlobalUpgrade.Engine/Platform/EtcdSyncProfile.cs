namespace GlobalUpgrade.Platform;

/// <summary>
/// Facts about the etcd synchronizer (global DR) that the module relies on. Each is marked [doc] (vendor docs,
/// acp/README.md) or [assumed] (not published; overridable through the cmdlets' parameters, no rebuild needed).
/// </summary>
public sealed record EtcdSyncProfile
{
    public static readonly EtcdSyncProfile Default = new();

    /// <summary>[doc] Namespace of the synchronizer's pods, lease, token secret and monitor service.</summary>
    public string Namespace { get; init; } = "cpaas-system";

    /// <summary>[doc] The monitor service whose /check lists missed and surplus keys.</summary>
    public string MonitorService { get; init; } = "etcd-sync-monitor";

    /// <summary>[assumed] The monitor's port; null means the service's first port (the docs curl the clusterIP on port 80).</summary>
    public string? MonitorPort { get; init; }

    /// <summary>[doc] Path of the report on the monitor.</summary>
    public string MonitorPath { get; init; } = "check";

    /// <summary>[doc] Label of the synchronizer's pods.</summary>
    public string PodLabelSelector { get; init; } = "app=etcd-sync";

    /// <summary>[doc] Lease whose holderIdentity names the leader pod (4.3+ only: see <see cref="EtcdSyncLine.Leader"/>).</summary>
    public string LeaderLease { get; init; } = "etcd-sync-mirror";

    /// <summary>[doc] Log line of a leader that has started copying.</summary>
    public string SyncStartedLogLine { get; init; } = "Start Sync update";

    /// <summary>[assumed] cpaas.io/module-name of the 4.x plugin ("Alauda Container Platform etcd Synchronizer").</summary>
    public string ModuleName { get; init; } = EtcdSyncLine.PluginModuleName;

    /// <summary>[doc] Secret on the standby holding the primary's token, and the primary's secret it is copied from.</summary>
    public string ActiveClusterTokenSecret { get; init; } = "etcd-sync-active-cluster-token";

    public string TokenSourceSecret { get; init; } = "k8sadmin";

    /// <summary>[doc] Job that prepares certificates before the synchronizer starts (where <see cref="EtcdSyncLine.HasBootstrapJob"/>).</summary>
    public string BootstrapJob { get; init; } = "etcd-sync-bootstrap";

    /// <summary>[doc] Labels that identify a plugin's ModuleInfo (the platform renames the object; never find it by name).</summary>
    public const string ModuleNameLabel = Objects.AcpLabels.ModuleName;

    public const string ClusterNameLabel = Objects.AcpLabels.ClusterName;

    public const string ModuleTypeLabel = Objects.AcpLabels.ModuleType;

    public const string ModuleTypePlugin = Objects.AcpLabels.ModuleTypePlugin;

    /// <summary>[doc] The cluster a DR pair's synchronizer plugin is installed for (cpaas.io/cluster-name).</summary>
    public string PluginClusterName { get; init; } = "global";

    /// <summary>[doc] Names the console shows for the synchronizer plugin (4.x, 3.18); a ModulePlugin matching one is the synchronizer.</summary>
    public IReadOnlyList<string> PluginDisplayNames { get; init; } = ["Alauda Container Platform etcd Synchronizer", "etcd Synchronizer", "EtcdSync"];

    /// <summary>
    /// [assumed] Install-form keys in ModuleInfo spec.config, used only when the ModuleConfig has no
    /// spec.deployDescriptors to find a field by its documented label: tried in order against the keys its spec.config
    /// declares (case and punctuation ignored), the first one when it declares none. -Config passes exact keys.
    /// </summary>
    public IReadOnlyList<string> ActiveClusterVipKeys { get; init; } = ["activeClusterVip", "activeGlobalClusterVip", "activeVip"];

    /// <summary>[assumed] See <see cref="ActiveClusterVipKeys"/>.</summary>
    public IReadOnlyList<string> ActiveEtcdEndpointsKeys { get; init; } = ["activeEtcdEndpoints", "activeGlobalClusterEtcdEndpoints", "activeClusterEtcdEndpoints"];

    /// <summary>[assumed] See <see cref="ActiveClusterVipKeys"/>.</summary>
    public IReadOnlyList<string> StandbyEtcdEndpointsKeys { get; init; } = ["standbyEtcdEndpoints", "standbyClusterEtcdEndpoints", "standbyGlobalClusterEtcdEndpoints"];

    /// <summary>[assumed] See <see cref="ActiveClusterVipKeys"/>.</summary>
    public IReadOnlyList<string> ActiveClusterTokenSecretKeys { get; init; } = ["activeClusterTokenSecret", "activeGlobalClusterTokenSecret", "tokenSecret"];

    /// <summary>[assumed] See <see cref="ActiveClusterVipKeys"/>.</summary>
    public IReadOnlyList<string> DataCheckIntervalKeys { get; init; } = ["dataCheckInterval", "checkInterval"];

    /// <summary>[assumed] See <see cref="ActiveClusterVipKeys"/>.</summary>
    public IReadOnlyList<string> PrintDetailLogsKeys { get; init; } = ["printDetailLogs", "printDetailLog", "debug"];

    /// <summary>The [assumed] fallback keys of a form field.</summary>
    public IReadOnlyList<string> FallbackKeys(EtcdSyncFormField field) => field switch
    {
        EtcdSyncFormField.ActiveClusterVip => ActiveClusterVipKeys,
        EtcdSyncFormField.ActiveEtcdEndpoints => ActiveEtcdEndpointsKeys,
        EtcdSyncFormField.StandbyEtcdEndpoints => StandbyEtcdEndpointsKeys,
        EtcdSyncFormField.ActiveClusterTokenSecret => ActiveClusterTokenSecretKeys,
        EtcdSyncFormField.DataCheckInterval => DataCheckIntervalKeys,
        EtcdSyncFormField.PrintDetailLogs => PrintDetailLogsKeys,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    /// <summary>[doc] etcd's client port, forwarded from both VIPs to the control-plane nodes.</summary>
    public int EtcdPort { get; init; } = 2379;

    /// <summary>[assumed] How long an install, uninstall or restart may take before it is reported as stuck.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
