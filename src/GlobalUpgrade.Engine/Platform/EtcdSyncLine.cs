namespace GlobalUpgrade.Platform;

/// <summary>
/// The etcd synchronizer of one platform version line (<see cref="PlatformLine.EtcdSync"/>): every
/// version-dependent fact about it, each with the docs that state it. The engine asks the line; it never compares
/// versions itself. docs/platform-versions.md mirrors this file.
/// </summary>
public sealed record EtcdSyncLine
{
    /// <summary>"4.1", "4.3.0", "4.3.1+".</summary>
    public required string Name { get; init; }

    public required EtcdSyncKind Kind { get; init; }

    /// <summary>[assumed] cpaas.io/module-name of the 4.x plugin ("Alauda Container Platform etcd Synchronizer"), written once.</summary>
    public const string PluginModuleName = "etcd-sync";

    /// <summary>[assumed] cpaas.io/module-name of the plugin (3.18: "etcdsync"; 4.x: <see cref="PluginModuleName"/>); null for the Helm era.</summary>
    public string? ModuleName { get; init; }

    /// <summary>[doc] 3.16 and 3.18 run (and remove) the synchronizer on the primary, 4.x on the standby.</summary>
    public ClusterRole Host => Kind == EtcdSyncKind.StandbyPlugin ? ClusterRole.Standby : ClusterRole.Primary;

    /// <summary>
    /// [doc] How the docs remove it: the Helm release and its objects (3.16, <see cref="HelmEraEtcdSync"/>), or the
    /// cluster plugin (3.18 on the primary, 4.x on the standby: "Uninstall the etcd sync plugin").
    /// </summary>
    public bool RemovedAsHelmRelease => Kind == EtcdSyncKind.HelmRelease;

    /// <summary>
    /// [doc release-4.x upgrade/upgrade_global_cluster.mdx "Check sync status"] the 4.x plugin's monitor service /check
    /// lists missed and surplus keys. For 3.16 and 3.18 (the synchronizer runs on the primary) the docs name no report
    /// and only say "follow your regular global DR inspection procedures" [doc release-4.0 same page].
    /// </summary>
    public bool HasSyncMonitor => Kind == EtcdSyncKind.StandbyPlugin;

    /// <summary>[doc release-4.x upgrade/upgrade_global_cluster.mdx "Reinstall the etcd sync plugin"] port 2379 of both VIPs must reach the control-plane nodes.</summary>
    public bool NeedsEtcdPortForwarded => Kind == EtcdSyncKind.StandbyPlugin;

    /// <summary>The install form's fields, in the docs' order; empty where the module does not install (3.x).</summary>
    public IReadOnlyList<EtcdSyncFormField> Form { get; init; } = [];

    public EtcdSyncLeaderDetection Leader { get; init; } = EtcdSyncLeaderDetection.NotDocumented;

    /// <summary>[doc] release-4.3 upgrade/upgrade_global_cluster.mdx tab "4.3.1+": job etcd-sync-bootstrap runs before the deployment.</summary>
    public bool HasBootstrapJob { get; init; }

    /// <summary>Where the docs state these facts (file @ branch).</summary>
    public required string Source { get; init; }

    /// <summary>[doc] Only a form with "Active Global Cluster Token Secret" (4.3.1+) needs the secret etcd-sync-active-cluster-token.</summary>
    public bool HasTokenSecret => Form.Contains(EtcdSyncFormField.ActiveClusterTokenSecret);

    // [doc] release-4.1 install/global_dr.mdx "Step 3: Enable etcd Synchronization" (same text on release-4.0, release-4.2),
    // and release-4.3 upgrade/upgrade_global_cluster.mdx tab "4.3.0".
    private static readonly EtcdSyncFormField[] Form40 = [EtcdSyncFormField.ActiveEtcdEndpoints, EtcdSyncFormField.DataCheckInterval, EtcdSyncFormField.PrintDetailLogs];

    // [doc] release-4.3 upgrade/upgrade_global_cluster.mdx tab "4.3.1+" (and install/global_dr.mdx on release-4.3).
    private static readonly EtcdSyncFormField[] Form431 =
    [
        EtcdSyncFormField.ActiveClusterVip, EtcdSyncFormField.ActiveEtcdEndpoints, EtcdSyncFormField.StandbyEtcdEndpoints,
        EtcdSyncFormField.ActiveClusterTokenSecret, EtcdSyncFormField.DataCheckInterval, EtcdSyncFormField.PrintDetailLogs,
    ];

    /// <summary>[doc] release-4.0 upgrade/upgrade_global_cluster.mdx "Uninstall the etcd sync plugin", tab "Upgrading from 3.16".</summary>
    public static readonly EtcdSyncLine V316 = new()
    {
        Name = "3.16",
        Kind = EtcdSyncKind.HelmRelease,
        Source = "release-4.0 docs/en/upgrade/upgrade_global_cluster.mdx (tab \"Upgrading from 3.16\")",
    };

    /// <summary>[doc] release-4.0/4.1 upgrade/upgrade_global_cluster.mdx, tab "Upgrading from 3.18": plugin "EtcdSync" on the primary.</summary>
    public static readonly EtcdSyncLine V318 = new()
    {
        Name = "3.18",
        Kind = EtcdSyncKind.PrimaryPlugin,
        ModuleName = "etcdsync",
        Source = "release-4.1 docs/en/upgrade/upgrade_global_cluster.mdx (tab \"Upgrading from 3.18\")",
    };

    public static readonly EtcdSyncLine V40 = Before43("4.0", "release-4.0");

    public static readonly EtcdSyncLine V41 = Before43("4.1", "release-4.1");

    public static readonly EtcdSyncLine V42 = Before43("4.2", "release-4.2");

    /// <summary>[doc] release-4.3 upgrade/upgrade_global_cluster.mdx tab "4.3.0"; the lease wait follows both tabs.</summary>
    public static readonly EtcdSyncLine V430 = new()
    {
        Name = "4.3.0",
        Kind = EtcdSyncKind.StandbyPlugin,
        ModuleName = PluginModuleName,
        Form = Form40,
        Leader = EtcdSyncLeaderDetection.Lease,
        Source = "release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx (tab \"4.3.0\", lease after the tabs)",
    };

    /// <summary>[doc] release-4.3 upgrade/upgrade_global_cluster.mdx tab "4.3.1+".</summary>
    public static readonly EtcdSyncLine V431 = new()
    {
        Name = "4.3.1+",
        Kind = EtcdSyncKind.StandbyPlugin,
        ModuleName = PluginModuleName,
        Form = Form431,
        Leader = EtcdSyncLeaderDetection.Lease,
        HasBootstrapJob = true,
        Source = "release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx (tab \"4.3.1+\", lease after the tabs)",
    };

    /// <summary>
    /// [doc master docs/en/configure/etcd/encryption.mdx warning "etcd Synchronizer version"] With the etcd Encryption
    /// Manager in deterministic mode the synchronizer must be v4.3.7 or later: "Earlier versions do not replicate the
    /// shared SeedBundle, so the Standby cluster cannot derive matching keys."
    /// </summary>
    public static readonly PlatformVersion MinimumWithDeterministicEncryption = PlatformVersion.Parse("4.3.7");

    /// <summary>[doc master UGC, DRI] the next line's synchronizer: as 4.3.1+ (the same form, token secret, bootstrap job and lease, without tabs).</summary>
    public static readonly EtcdSyncLine V44 = V431 with { Name = "4.4", Source = "master docs/en/upgrade/upgrade_global_cluster.mdx and docs/en/install/global_dr.mdx (as 4.3.1+, no tabs)" };

    /// <summary>The synchronizer of every documented line, oldest first.</summary>
    public static IReadOnlyList<EtcdSyncLine> All => PlatformLine.All.Select(l => l.EtcdSync).ToList();

    /// <summary>The synchronizer of the line a version belongs to (<see cref="PlatformLine.For"/>).</summary>
    public static EtcdSyncLine For(PlatformVersion version) => PlatformLine.For(version).EtcdSync;

    // [doc] release-4.x upgrade/upgrade_global_cluster.mdx "Reinstall the etcd sync plugin" and install/global_dr.mdx:
    // the log check and the one deletion take `kubectl get po -l app=etcd-sync --no-headers | head -1`; no lease.
    private static EtcdSyncLine Before43(string name, string branch) => new()
    {
        Name = name,
        Kind = EtcdSyncKind.StandbyPlugin,
        ModuleName = PluginModuleName,
        Form = Form40,
        Leader = EtcdSyncLeaderDetection.FirstPodByName,
        Source = $"{branch} docs/en/install/global_dr.mdx and docs/en/upgrade/upgrade_global_cluster.mdx",
    };
}
