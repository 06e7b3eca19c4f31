using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Runbook;

/// <summary>The one way to turn <see cref="EtcdSyncOptions"/> into an install request: Install-EtcdSync and the runbook's InstallEtcdSync step.</summary>
public static class EtcdSyncInstallRequests
{
    public static EtcdSyncInstallRequest From(
        EtcdSyncOptions options,
        IReadOnlyDictionary<string, JsonNode?>? config,
        ClusterConnection primary,
        ClusterConnection standby,
        PlatformProfile profile,
        string? standbyVip) => new()
        {
            Primary = primary,
            Standby = standby,
            Profile = profile,
            ActiveClusterVip = ActiveVip(options),
            ActiveEtcdEndpoints = options.ActiveEtcdEndpoint?.Select(e => HostInput.EtcdEndpoint(e, "-ActiveEtcdEndpoint")).ToArray(),
            StandbyEtcdEndpoints = options.StandbyEtcdEndpoint?.Select(e => HostInput.EtcdEndpoint(e, "-StandbyEtcdEndpoint")).ToArray(),
            DataCheckInterval = options.DataCheckInterval,
            Version = options.Version,
            ModuleName = options.ModuleName,
            Config = config,
            SkipEndpointCheck = options.SkipEndpointCheck,
            StandbyVip = standbyVip,
        };

    /// <summary>The etcd endpoints of both clusters as the synchronizer will use them: as given, else &lt;VIP&gt;:2379.</summary>
    public static IEnumerable<Uri> Endpoints(EtcdSyncOptions options, string standbyVip) =>
        ActiveEndpoints(options).Concat(StandbyEndpoints(options, standbyVip));

    /// <summary>The active cluster's etcd as the synchronizer reaches it: the endpoints given (4.3 direct mode), else &lt;VIP&gt;:2379.</summary>
    public static IReadOnlyList<Uri> ActiveEndpoints(EtcdSyncOptions options) =>
        options.ActiveEtcdEndpoint is { Length: > 0 } active ? active : [EtcdUri(ActiveVip(options))];

    public static IReadOnlyList<Uri> StandbyEndpoints(EtcdSyncOptions options, string standbyVip) =>
        options.StandbyEtcdEndpoint is { Length: > 0 } standby ? standby : [EtcdUri(standbyVip)];

    /// <summary>The primary's VIP from the options: required (the synchronizer's form needs it) and a bare host.</summary>
    public static string ActiveVip(EtcdSyncOptions options) =>
        HostInput.Host(options.ActiveClusterVip ?? throw MissingVip(), "-EtcdSync ActiveClusterVip");

    public static GlobalUpgradeException MissingVip() => new(
        ErrorIds.EtcdSyncOptionsMissing,
        FailureCategory.InvalidArgument,
        "Re-installing the etcd synchronizer needs the primary's VIP: pass -EtcdSync @{ ActiveClusterVip = '<primary VIP>' } (and the etcd endpoints if they are not <VIP>:2379).");

    private static Uri EtcdUri(string host) =>
        new($"https://{(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host)}:{EtcdSyncProfile.DocumentedEtcdPort}");
}
