using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>One field of the etcd synchronizer's install form: the label the docs use, where its value lives in
/// <c>spec.config</c> (a dotted path is a nested key), its x-descriptors and default.</summary>
public sealed record FormField(string DisplayName, string Path, string[] XDescriptors, JsonNode? Default);

/// <summary>
/// What differs per ACP version line, in one place (the simulator's copy of the docs; the engine has its own profile).
/// Labels, lease, bootstrap job and CVO are documented; the form's <c>path</c>s are not, so they deliberately differ
/// between lines (nested on 4.0 and 4.2, flat on 4.1/4.3.0, other names on 4.3.1): a client must read them from
/// <c>spec.deployDescriptors</c>, not assume them.
/// </summary>
public sealed record PlatformLine(
    string Name,
    bool HasEtcdSyncPlugin,
    bool HasLeaderLease,
    bool RunsBootstrapJob,
    bool HasClusterVersionOperator,
    IReadOnlyList<FormField> Form)
{
    // Labels [doc]: 4.0–4.3.0 release-4.1 docs/en/install/global_dr.mdx, release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx
    // tab "4.3.0"; 4.3.1+ adds VIP, standby endpoints and token secret (same file, tab "4.3.1+").
    public const string ActiveEtcdEndpoints = "Active Global Cluster ETCD Endpoints";
    public const string DataCheckInterval = "Data Check Interval";
    public const string PrintDetailLogs = "Print detail logs";
    public const string ActiveClusterVip = "Active Global Cluster VIP";
    public const string StandbyEtcdEndpoints = "Standby Cluster ETCD Endpoints";
    public const string ActiveClusterTokenSecret = "Active Global Cluster Token Secret";

    private static readonly string[] Text = ["urn:alm:descriptor:com.tectonic.ui:text"];
    private static readonly string[] Number = ["urn:alm:descriptor:com.tectonic.ui:number"];
    private static readonly string[] Switch = ["urn:alm:descriptor:com.tectonic.ui:booleanSwitch"];

    private static FormField[] ThreeFields(string endpoints, string interval, string logs) =>
    [
        new(ActiveEtcdEndpoints, endpoints, Text, ""),
        new(DataCheckInterval, interval, Number, 60),
        new(PrintDetailLogs, logs, Switch, false),
    ];

    public static readonly PlatformLine V316 = new("3.16", false, false, false, false, []);
    public static readonly PlatformLine V318 = new("3.18", false, false, false, false, []);
    public static readonly PlatformLine V40 = new("4.0", true, false, false, false, ThreeFields("etcd.active.endpoints", "etcd.check.intervalSeconds", "log.verbose"));
    public static readonly PlatformLine V41 = new("4.1", true, false, false, false, ThreeFields("activeEtcdEndpoints", "dataCheckInterval", "printDetailLogs"));
    public static readonly PlatformLine V42 = new("4.2", true, false, false, false, ThreeFields("sync.activeEndpoints", "sync.checkInterval", "sync.debug"));

    // The lease etcd-sync-mirror and the CVO from 4.3 [doc: release-4.3 upgrade_global_cluster.mdx]; before 4.3 the docs
    // take the first pod by name (release-4.1 install/global_dr.mdx, `--no-headers | head -1`).
    public static readonly PlatformLine V430 = new("4.3.0", true, true, false, true, ThreeFields("activeEtcdEndpoints", "dataCheckInterval", "printDetailLogs"));

    // 4.3.1+: the form grows and the etcd-sync-bootstrap job runs first [doc: release-4.3 upgrade_global_cluster.mdx tab "4.3.1+"].
    public static readonly PlatformLine V431 = new("4.3.1", true, true, true, true,
    [
        new(ActiveClusterVip, "active.vip", Text, ""),
        new(ActiveEtcdEndpoints, "active.etcdEndpoints", Text, ""),
        new(StandbyEtcdEndpoints, "standby.etcdEndpoints", Text, "https://127.0.0.1:2379"),
        new(ActiveClusterTokenSecret, "active.tokenSecretName", Text, ""),
        new(DataCheckInterval, "checkIntervalSeconds", Number, 60),
        new(PrintDetailLogs, "debug", Switch, false),
    ]);

    // 4.4: the 4.3.1+ synchronizer and CVO [doc master UGC, DRI]; the preflight adds AdminAckRequired, fed by the
    // gates of cpaas-system/admin-gates and the acknowledgements of cpaas-system/admin-acks [doc master UGC "Run
    // preflight checks", "Handle administrator acknowledgement gates"].
    public static readonly PlatformLine V44 = V431 with { Name = "4.4", HasAdminAckGates = true };

    /// <summary>Every line, oldest first (the engine's Platform/PlatformLine.cs names the same ones).</summary>
    public static IReadOnlyList<PlatformLine> All { get; } = [V316, V318, V40, V41, V42, V430, V431, V44];

    /// <summary>The preflight has AdminAckRequired (administrator acknowledgement gates).</summary>
    public bool HasAdminAckGates { get; init; }

    /// <summary>Before 4.3 the functional components are upgraded from the console once the ClusterModule offers it; from 4.3 the CVO does it.</summary>
    public bool OffersFunctionalComponentsUpgrade => !HasClusterVersionOperator;

    /// <summary>
    /// From 4.3 the core package carries only the core artifacts: the Aligned plugins (the etcd synchronizer among
    /// them) are pushed with violet, so reaching the version publishes none of them [doc release-4.3 PRE "Step 1:
    /// Download the Core Package"]. Before 4.3 the simulator publishes the line's synchronizer with the platform.
    /// </summary>
    public bool PublishesAlignedPluginsWithCore => !HasClusterVersionOperator;

    public bool RequiresActiveToken => Form.Any(f => f.DisplayName == ActiveClusterTokenSecret);

    public FormField? Field(string displayName) => Form.FirstOrDefault(f => f.DisplayName == displayName);

    /// <summary>The line a platform or plugin version belongs to (3.17 as 3.16, like the engine); versions after 4.4 behave as 4.4.</summary>
    public static PlatformLine For(string? version)
    {
        var v = VersionText.Parse(version ?? "");
        return (v.Major, v.Minor) switch
        {
            ( < 3, _) or (3, < 18) => V316,
            (3, _) => V318,
            (4, 0) => V40,
            (4, 1) => V41,
            (4, 2) => V42,
            (4, 3) when v.Build < 1 => V430,
            (4, 3) => V431,
            _ => V44,
        };
    }

    /// <summary>The form's defaults as <c>spec.config</c>, each at its (possibly nested) path.</summary>
    public JsonObject DefaultConfig()
    {
        var config = new JsonObject();
        foreach (var f in Form)
        {
            config.Set(f.Path, f.Default?.DeepClone());
        }

        return config;
    }

    public JsonArray Descriptors() => new(Form.Select(f => (JsonNode)new JsonObject
    {
        ["path"] = f.Path,
        ["displayName"] = f.DisplayName,
        ["x-descriptors"] = new JsonArray(f.XDescriptors.Select(x => (JsonNode)x).ToArray()),
    }).ToArray());
}
