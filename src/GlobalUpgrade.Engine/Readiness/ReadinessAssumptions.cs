using System.Globalization;
using System.Text.RegularExpressions;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// Where the readiness conditions look and how an administrator gate is acknowledged, in one place. Values marked
/// [doc] are documented; [assumed] ones are not published anywhere we found, are named in the messages that rely on
/// them, and can be replaced through Test-GlobalUpgradeReadiness or Approve-GlobalUpgradeGate
/// -Assumption @{ Name = 'value' } (lists comma-separated) without a rebuild.
/// </summary>
public sealed partial record ReadinessAssumptions
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

    /// <summary>[assumed] cpaas.io/module-name of "Alauda Container Platform GitOps", for a ModuleInfo without the display-name annotation.</summary>
    public IReadOnlyList<string> GitOpsModules { get; init; } = ["gitops", "argocd"];

    /// <summary>[assumed] the namespace of the GitOps plugin's pods on the global cluster (its Argo CD instance).</summary>
    public string GitOpsNamespace { get; init; } = "argocd";

    /// <summary>[assumed] cpaas.io/module-name of the L5 plugins the 4.3 post-upgrade notes name, for a ModuleInfo without the display-name annotation.</summary>
    public IReadOnlyList<string> L5Modules { get; init; } = ["devops", "aml-essentials", "ai-essentials", "hyperflux", "data-services-essentials", "dataservices-essentials"];

    /// <summary>[doc: pre-upgrade.mdx "Important Notes", release-4.0 … release-4.3] the MinIO directory on the control plane.</summary>
    public string MinioPath { get; init; } = "/cpaas/minio";

    /// <summary>[doc: same] at least 120 GB free.</summary>
    public double MinioMinimumFreeGB { get; init; } = 120;

    /// <summary>
    /// [doc master UGC "Handle administrator acknowledgement gates"] the value an acknowledgement writes under the gate's
    /// key in cpaas-system/admin-acks (<c>{"data":{"&lt;gate&gt;":"true"}}</c>), and the value that reads as acknowledged.
    /// </summary>
    public string AdminGateAcknowledgedValue { get; init; } = "true";

    /// <summary>[assumed] the value under a gate's key in cpaas-system/admin-gates is its description (the docs show the key only); false: no description.</summary>
    public bool AdminGateValueIsDescription { get; init; } = true;

    /// <summary>
    /// [assumed] how long the Cluster Version Operator may take to reevaluate AdminAckRequired after the acknowledgement
    /// before Approve-GlobalUpgradeGate returns and says to run the preflight again (the docs re-run upgrade.sh
    /// --preflight; the operator may also reevaluate by itself). Zero: read once.
    /// </summary>
    public TimeSpan AdminGateReevaluationTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// [assumed, the module's own] prefix of the annotation on cpaas-system/admin-acks that records a gate acknowledged
    /// with -Force while its prerequisite was not Passed; the key is this prefix followed by the gate's name.
    /// </summary>
    public string AdminGateForcedAnnotationPrefix { get; init; } = "globalupgrade.alauda.io/forced.";

    /// <summary>The annotation key recording a forced acknowledgement of <paramref name="gate"/>.</summary>
    public string AdminGateForcedAnnotation(string gate) => AdminGateForcedAnnotationPrefix + gate;

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
        [nameof(GitOpsModules)] = (a, v) => a with { GitOpsModules = List(v) },
        [nameof(GitOpsNamespace)] = (a, v) => a with { GitOpsNamespace = v },
        [nameof(L5Modules)] = (a, v) => a with { L5Modules = List(v) },
        [nameof(MinioPath)] = (a, v) => a with { MinioPath = v },
        [nameof(MinioMinimumFreeGB)] = (a, v) => a with { MinioMinimumFreeGB = double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var gb) && gb >= 0 ? gb : throw Invalid(nameof(MinioMinimumFreeGB), $"'{v}' is not a number of GB") },
        [nameof(AdminGateAcknowledgedValue)] = (a, v) => a with { AdminGateAcknowledgedValue = v },
        [nameof(AdminGateValueIsDescription)] = (a, v) => a with { AdminGateValueIsDescription = bool.TryParse(v, out var b) ? b : throw Invalid(nameof(AdminGateValueIsDescription), $"'{v}' is not true or false") },
        [nameof(AdminGateReevaluationTimeout)] = (a, v) => a with { AdminGateReevaluationTimeout = AssumedDuration.Parse(nameof(AdminGateReevaluationTimeout), v, zeroAllowed: true) },
        [nameof(AdminGateForcedAnnotationPrefix)] = (a, v) => a with { AdminGateForcedAnnotationPrefix = AnnotationPrefix(v) },
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

    /// <summary>
    /// A prefix that, followed by a gate's name, is an annotation key the API server accepts: an optional DNS subdomain
    /// and '/', then a name start of letters, digits, '-', '_' and '.' (beginning with a letter or digit).
    /// </summary>
    private static string AnnotationPrefix(string text) =>
        AnnotationPrefixPattern().IsMatch(text)
            ? text
            : throw Invalid(nameof(AdminGateForcedAnnotationPrefix), $"'{text}' is not the start of an annotation key (e.g. example.com/forced.)");

    [GeneratedRegex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?$")]
    private static partial Regex AnnotationPrefixPattern();

    private static string[] List(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static GlobalUpgradeException Invalid(string key, string what) =>
        new(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument, $"{what}. Fix -Assumption and run again.", key);
}
