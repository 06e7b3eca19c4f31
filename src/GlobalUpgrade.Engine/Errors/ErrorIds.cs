namespace GlobalUpgrade.Errors;

/// <summary>The stable error ids users and scripts match on. Never rename one: scripts depend on them.</summary>
public static class ErrorIds
{
    public const string KubeconfigNotFound = nameof(KubeconfigNotFound);
    public const string KubeconfigInvalid = nameof(KubeconfigInvalid);
    public const string ContextNotFound = nameof(ContextNotFound);
    public const string ServerUnreachable = nameof(ServerUnreachable);
    public const string ServerTimeout = nameof(ServerTimeout);
    public const string CertificateNotTrusted = nameof(CertificateNotTrusted);
    public const string Unauthorized = nameof(Unauthorized);
    public const string Forbidden = nameof(Forbidden);
    public const string NotAGlobalCluster = nameof(NotAGlobalCluster);
    public const string ClusterNotConnected = nameof(ClusterNotConnected);
    public const string NoClusterConnected = nameof(NoClusterConnected);
    public const string ClusterNameInUse = nameof(ClusterNameInUse);
    public const string PlatformVersionUnknown = nameof(PlatformVersionUnknown);
    public const string InvalidPlatformVersion = nameof(InvalidPlatformVersion);
    public const string ApiRequestFailed = nameof(ApiRequestFailed);
    public const string OperationCancelled = nameof(OperationCancelled);
    public const string UnexpectedError = nameof(UnexpectedError);

    // etcd synchronizer monitor
    public const string SyncReportUnreadable = nameof(SyncReportUnreadable);
    public const string SyncMonitorUnavailable = nameof(SyncMonitorUnavailable);
    public const string SyncMonitorTimeout = nameof(SyncMonitorTimeout);
    public const string SyncMonitorNotFound = nameof(SyncMonitorNotFound);
    public const string InvalidMonitorUri = nameof(InvalidMonitorUri);

    // DR consistency
    public const string EtcdEndpointsRequired = nameof(EtcdEndpointsRequired);

    // Waiting (watches, pod logs)
    public const string WaitTimedOut = nameof(WaitTimedOut);
    public const string WatchFailed = nameof(WatchFailed);
    public const string PodGone = nameof(PodGone);

    // etcd synchronizer lifecycle
    public const string StandbyNotConsistent = nameof(StandbyNotConsistent);
    public const string HelmReleaseRemovalNeedsNode = nameof(HelmReleaseRemovalNeedsNode);
    public const string EtcdSyncPluginNotFound = nameof(EtcdSyncPluginNotFound);
    public const string EtcdSyncVersionNotFound = nameof(EtcdSyncVersionNotFound);
    public const string EtcdSyncConfigKeyUnknown = nameof(EtcdSyncConfigKeyUnknown);
    public const string EtcdSyncNotInstalled = nameof(EtcdSyncNotInstalled);
    public const string EtcdSyncNoLeader = nameof(EtcdSyncNoLeader);
    public const string EtcdSyncUnsupportedVersion = nameof(EtcdSyncUnsupportedVersion);
    public const string EtcdSyncAmbiguous = nameof(EtcdSyncAmbiguous);
    public const string EtcdEndpointUnreachable = nameof(EtcdEndpointUnreachable);
    public const string ActiveClusterTokenMissing = nameof(ActiveClusterTokenMissing);
    public const string BootstrapJobFailed = nameof(BootstrapJobFailed);
}
