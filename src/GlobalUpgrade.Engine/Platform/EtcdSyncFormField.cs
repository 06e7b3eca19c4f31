namespace GlobalUpgrade.Platform;

/// <summary>A field of the etcd synchronizer plugin's install form, known by the label the docs give it.</summary>
public enum EtcdSyncFormField
{
    ActiveEtcdEndpoints,
    DataCheckInterval,
    PrintDetailLogs,
    ActiveClusterVip,
    StandbyEtcdEndpoints,
    ActiveClusterTokenSecret,
}

/// <summary>The documented labels of the install form's fields (the console's labels, and the ModuleConfig descriptors' displayName).</summary>
public static class EtcdSyncFormFields
{
    /// <summary>
    /// [doc] 4.0–4.3.0: release-4.1 docs/en/install/global_dr.mdx "Step 3: Enable etcd Synchronization" and release-4.3
    /// docs/en/upgrade/upgrade_global_cluster.mdx tab "4.3.0"; the 4.3.1+ fields: the same file's tab "4.3.1+".
    /// </summary>
    public static string Label(EtcdSyncFormField field) => field switch
    {
        EtcdSyncFormField.ActiveEtcdEndpoints => "Active Global Cluster ETCD Endpoints",
        EtcdSyncFormField.DataCheckInterval => "Data Check Interval",
        EtcdSyncFormField.PrintDetailLogs => "Print detail logs",
        EtcdSyncFormField.ActiveClusterVip => "Active Global Cluster VIP",
        EtcdSyncFormField.StandbyEtcdEndpoints => "Standby Cluster ETCD Endpoints",
        EtcdSyncFormField.ActiveClusterTokenSecret => "Active Global Cluster Token Secret",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };
}
