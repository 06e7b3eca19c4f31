using System.Globalization;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// Where the readiness conditions look, in one place. Values marked [doc] are documented; [assumed] ones are not
/// published anywhere we found, are named in the messages that rely on them, and can be replaced through
/// Test-GlobalUpgradeReadiness -Assumption @{ Name = 'value' } (lists comma-separated) without a rebuild.
/// </summary>
public sealed record ReadinessAssumptions
{
    public static ReadinessAssumptions Default { get; } = new();

    /// <summary>
    /// [doc: release-4.1 docs/en/configure/backup/backups/etcd.mdx] the default task is EtcdBackupConfiguration
    /// etcd-backup-default (enhancement.cluster.alauda.io/v1, cluster-scoped); [assumed] custom periodic tasks are
    /// further objects of the same kind.
    /// </summary>
    public AcpResource EtcdBackupResource { get; init; } = new("enhancement.cluster.alauda.io", "v1", "etcdbackupconfigurations", Namespaced: false);

    /// <summary>[doc: release-4.0/4.1 pre-upgrade.mdx "Important Notes"] the one task that stays.</summary>
    public string DefaultEtcdBackupTask { get; init; } = "etcd-backup-default";

    /// <summary>[assumed] cpaas.io/module-name of CostManager / Kubecost.</summary>
    public IReadOnlyList<string> CostManagerModules { get; init; } = ["costmanager", "cost-manager", "kubecost"];

    /// <summary>[assumed] Istio / Service Mesh.</summary>
    public IReadOnlyList<string> IstioModules { get; init; } = ["istio", "asm"];

    /// <summary>[assumed] ClickHouse.</summary>
    public IReadOnlyList<string> ClickHouseModules { get; init; } = ["clickhouse"];

    /// <summary>[assumed] Elasticsearch (log storage on Elasticsearch).</summary>
    public IReadOnlyList<string> ElasticsearchModules { get; init; } = ["elasticsearch"];

    /// <summary>[assumed] Alauda Build of TopoLVM.</summary>
    public IReadOnlyList<string> TopoLvmModules { get; init; } = ["topolvm"];

    /// <summary>[assumed] the log storage plugin whose users need Log Essentials from 4.2.</summary>
    public IReadOnlyList<string> LogStorageModules { get; init; } = ["log-storage", "logcenter"];

    /// <summary>[assumed] Alauda Container Platform Log Essentials.</summary>
    public IReadOnlyList<string> LogEssentialsModules { get; init; } = ["log-essentials"];

    /// <summary>[doc: pre-upgrade.mdx "Important Notes", release-4.0 … release-4.3] the MinIO directory on the control plane.</summary>
    public string MinioPath { get; init; } = "/cpaas/minio";

    /// <summary>[doc: same] at least 120 GB free.</summary>
    public double MinioMinimumFreeGB { get; init; } = 120;

    private static readonly Dictionary<string, Func<ReadinessAssumptions, string, ReadinessAssumptions>> Setters = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(EtcdBackupResource)] = (a, v) => a with { EtcdBackupResource = ParseResource(v) },
        [nameof(DefaultEtcdBackupTask)] = (a, v) => a with { DefaultEtcdBackupTask = v },
        [nameof(CostManagerModules)] = (a, v) => a with { CostManagerModules = List(v) },
        [nameof(IstioModules)] = (a, v) => a with { IstioModules = List(v) },
        [nameof(ClickHouseModules)] = (a, v) => a with { ClickHouseModules = List(v) },
        [nameof(ElasticsearchModules)] = (a, v) => a with { ElasticsearchModules = List(v) },
        [nameof(TopoLvmModules)] = (a, v) => a with { TopoLvmModules = List(v) },
        [nameof(LogStorageModules)] = (a, v) => a with { LogStorageModules = List(v) },
        [nameof(LogEssentialsModules)] = (a, v) => a with { LogEssentialsModules = List(v) },
        [nameof(MinioPath)] = (a, v) => a with { MinioPath = v },
        [nameof(MinioMinimumFreeGB)] = (a, v) => a with { MinioMinimumFreeGB = double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var gb) && gb >= 0 ? gb : throw Invalid(nameof(MinioMinimumFreeGB), $"'{v}' is not a number of GB") },
    };

    /// <summary>The names -Assumption accepts.</summary>
    public static IEnumerable<string> Names => Setters.Keys;

    /// <summary>These assumptions with the given values replaced (names case-insensitive; an unknown or empty value is refused).</summary>
    public ReadinessAssumptions With(IReadOnlyDictionary<string, string?>? overrides)
    {
        var result = this;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            if (!Setters.TryGetValue(key, out var set))
            {
                throw Invalid(key, $"'{key}' is not a readiness assumption. Known: {string.Join(", ", Names)}");
            }

            result = string.IsNullOrWhiteSpace(value) ? throw Invalid(key, $"the assumption '{key}' cannot be empty") : set(result, value.Trim());
        }

        return result;
    }

    /// <summary>Whether a plugin's cpaas.io/module-name is one of <paramref name="names"/> (or starts with one, e.g. kubecost-operator).</summary>
    public static bool Matches(IReadOnlyList<string> names, string? moduleName) =>
        moduleName is { Length: > 0 } && names.Any(n => moduleName.StartsWith(n, StringComparison.OrdinalIgnoreCase));

    private static AcpResource ParseResource(string text)
    {
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        return parts.Length == 3 && parts.All(p => p.Length > 0)
            ? new AcpResource(parts[0], parts[1], parts[2], Namespaced: false)
            : throw Invalid(nameof(EtcdBackupResource), $"'{text}' is not group/version/plural (e.g. enhancement.cluster.alauda.io/v1/etcdbackupconfigurations)");
    }

    private static string[] List(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static GlobalUpgradeException Invalid(string key, string what) =>
        new(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument, $"{what}. Fix -Assumption and run again.", key);
}
