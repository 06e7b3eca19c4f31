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

    /// <summary>[doc] Lease whose holderIdentity names the leader pod.</summary>
    public string LeaderLease { get; init; } = "etcd-sync-mirror";

    /// <summary>[doc] Log line of a leader that has started copying.</summary>
    public string SyncStartedLogLine { get; init; } = "Start Sync update";

    /// <summary>[assumed] cpaas.io/module-name of the 4.x plugin ("Alauda Container Platform etcd Synchronizer").</summary>
    public string ModuleName { get; init; } = "etcd-sync";

    /// <summary>[doc] Secret on the standby holding the primary's token, and the primary's secret it is copied from.</summary>
    public string ActiveClusterTokenSecret { get; init; } = "etcd-sync-active-cluster-token";

    public string TokenSourceSecret { get; init; } = "k8sadmin";

    /// <summary>[doc] Job that prepares certificates before the synchronizer starts (4.3.1 and later).</summary>
    public string BootstrapJob { get; init; } = "etcd-sync-bootstrap";

    public Version BootstrapJobSince { get; init; } = new(4, 3, 1);
}
