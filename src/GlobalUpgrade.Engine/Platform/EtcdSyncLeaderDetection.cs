namespace GlobalUpgrade.Platform;

/// <summary>How the docs of a version find the etcd-sync pod whose log is checked and which is deleted once.</summary>
public enum EtcdSyncLeaderDetection
{
    /// <summary>Not documented for this version (3.x): Restart-EtcdSync refuses.</summary>
    NotDocumented,

    /// <summary>4.0–4.2: the first pod of <c>kubectl get po -l app=etcd-sync --no-headers | head -1</c>, i.e. the first by name.</summary>
    FirstPodByName,

    /// <summary>4.3+: the holder of lease <c>cpaas-system/etcd-sync-mirror</c>.</summary>
    Lease,
}
