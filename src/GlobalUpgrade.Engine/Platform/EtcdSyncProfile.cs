using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Platform;

/// <summary>
/// Facts about the etcd synchronizer (global DR) that the module relies on. Each is marked [doc] (vendor docs) or
/// [assumed] (not published); the [assumed] ones in <see cref="OverridableNames"/> are replaced through the cmdlets'
/// -Assumption (<see cref="PlatformAssumptions"/>), no rebuild needed. A new profile holds the documented values.
/// </summary>
public sealed record EtcdSyncProfile
{
    /// <summary>[assumed] How long an install, uninstall or restart may take before it is reported as stuck (-TimeoutSec).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

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
    public string ActiveClusterTokenSecret { get; init; } = DocumentedTokenSecret;

    /// <summary>[doc] The name of <see cref="ActiveClusterTokenSecret"/> the docs give (Install-EtcdSync's default).</summary>
    public const string DocumentedTokenSecret = "etcd-sync-active-cluster-token";

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

    /// <summary>
    /// [assumed] Keys of the legacy plain-token configuration in ModuleInfo spec.config (matched against a key at any
    /// depth, case and punctuation ignored). [doc master upgrade/upgrade_global_cluster.mdx "Reinstall the etcd
    /// synchronization plugin"]: "Legacy plain-token configuration remains only as a compatibility fallback", and after
    /// verification "remove any remaining legacy plain-token configuration from the plugin settings"; the keys are not named.
    /// </summary>
    public IReadOnlyList<string> LegacyTokenKeys { get; init; } = ["activeClusterToken", "activeGlobalClusterToken", "token"];

    /// <summary>
    /// [assumed] "namespace/name" of the primary's etcd CA secret, the "remote etcd-ca" the bootstrap job copies into
    /// remote-etcd-ca [doc master upgrade/upgrade_global_cluster.mdx, last step]; where it lives is not published.
    /// </summary>
    public string RemoteEtcdCaSecret { get; init; } = "kube-system/etcd-ca";

    /// <summary>[assumed] cpaas.io/module-name of the etcd Encryption Manager plugin (it is also found by its documented display name).</summary>
    public string EncryptionManagerModuleName { get; init; } = "etcd-encryption-manager";

    /// <summary>[doc] etcd's client port, forwarded from both VIPs to the control-plane nodes.</summary>
    public int EtcdPort { get; init; } = DocumentedEtcdPort;

    public const int DocumentedEtcdPort = 2379;

    /// <summary>[assumed] How long each wait of the synchronizer's start may take (<see cref="EtcdSyncWaitBudgets"/>).</summary>
    public EtcdSyncWaitBudgets Waits { get; init; } = new();

    private static readonly Dictionary<string, Func<EtcdSyncProfile, string, EtcdSyncProfile>> Setters = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(MonitorPort)] = (p, v) => p with { MonitorPort = Port(v) },
        [nameof(ActiveClusterVipKeys)] = (p, v) => p with { ActiveClusterVipKeys = List(v) },
        [nameof(ActiveEtcdEndpointsKeys)] = (p, v) => p with { ActiveEtcdEndpointsKeys = List(v) },
        [nameof(StandbyEtcdEndpointsKeys)] = (p, v) => p with { StandbyEtcdEndpointsKeys = List(v) },
        [nameof(ActiveClusterTokenSecretKeys)] = (p, v) => p with { ActiveClusterTokenSecretKeys = List(v) },
        [nameof(DataCheckIntervalKeys)] = (p, v) => p with { DataCheckIntervalKeys = List(v) },
        [nameof(PrintDetailLogsKeys)] = (p, v) => p with { PrintDetailLogsKeys = List(v) },
        [nameof(LegacyTokenKeys)] = (p, v) => p with { LegacyTokenKeys = List(v) },
        [nameof(RemoteEtcdCaSecret)] = (p, v) => p with { RemoteEtcdCaSecret = NamespacedName(v) },
        [nameof(EncryptionManagerModuleName)] = (p, v) => p with { EncryptionManagerModuleName = v.Trim() },
    };

    /// <summary>The [assumed] values -Assumption may replace (lists comma-separated; the waits' budgets as durations).</summary>
    public static IReadOnlyCollection<string> OverridableNames => [.. Setters.Keys, .. EtcdSyncWaitBudgets.Names];

    /// <summary>This profile with one [assumed] value replaced; false when <paramref name="name"/> is not one of <see cref="OverridableNames"/>.</summary>
    public bool TryWith(string name, string value, out EtcdSyncProfile result)
    {
        if (Waits.TryWith(name, value, out var waits))
        {
            result = this with { Waits = waits };
            return true;
        }

        result = Setters.TryGetValue(name, out var set) ? set(this, value) : this;
        return set is not null;
    }

    private static string NamespacedName(string text) =>
        text.Split('/') is [{ Length: > 0 }, { Length: > 0 }]
            ? text.Trim()
            : throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument,
                $"The assumption 'RemoteEtcdCaSecret' ('{text}') is not 'namespace/name'. Fix -Assumption and run again.", text);

    private static string[] List(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A service port as the API server's proxy takes it: a number (1–65535) or a port name (IANA service name syntax).</summary>
    private static string Port(string text) =>
        (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65535)
        || (text.Length <= 15 && text.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && text.Any(char.IsAsciiLetterLower))
            ? text
            : throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument,
                $"The assumption 'MonitorPort' ('{text}') is neither a port number (1-65535) nor a port name of the monitor service. Fix -Assumption and run again.", text);
}
