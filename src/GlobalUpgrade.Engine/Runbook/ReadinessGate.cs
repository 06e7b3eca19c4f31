using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// The runbooks' readiness gate (docs/runbook.md): every documented pre-upgrade condition of Test-GlobalUpgradeReadiness,
/// judged in Preflight before any change. A Failed condition blocks unless waived by name (-SkipReadinessCheck);
/// NotChecked never blocks (node checks such as MinioFreeSpace need node access the gate does not use) and is
/// recorded as such. On 4.3 targets the package's upgrade.sh --preflight does not run here but at its documented
/// moment, right before each cluster's trigger (<see cref="PackagePreflightGate"/>); here the CVO's own last result
/// (ClusterVersionShadow status.preflight) is read where there is one: a Failed check blocks, Retry or no data reads
/// NotChecked ("not passed yet").
/// </summary>
public static class ReadinessGate
{
    /// <summary>Detail key set on a Failed result the operator waived.</summary>
    public const string WaivedKey = "Waived";

    /// <summary>Detail key set on a Failed result a later step checks again (it does not block Preflight).</summary>
    public const string DeferredKey = "DeferredTo";

    public static async Task<IReadOnlyList<CheckResult>> RunAsync(RunbookRequest request, ReadinessAssumptions assumptions, CancellationToken cancellationToken)
    {
        var target = PlatformVersion.Parse(request.TargetVersion);
        var results = new List<CheckResult>();
        foreach (var cluster in ClustersOf(request))
        {
            // The package's upgrade.sh --preflight runs later, right before each cluster's trigger (PackagePreflightGate).
            var readiness = new ReadinessRequest([cluster], target) { Assumptions = assumptions };
            results.AddRange(await ReadinessChecker.RunAsync(readiness, cancellationToken).ConfigureAwait(false));
        }

        var etcdSync = request.IsDr ? request.EtcdSync.ModuleName ?? PlatformProfile.For(target).EtcdSyncModuleName : null;
        return results.Select(r => Waive(Defer(r, etcdSync), request.SkipReadinessCheck)).ToList();
    }

    /// <summary>
    /// Whether a result stops the runbook: Failed and not waived. The 4.3 preflight's summary is the roll-up of its
    /// checks (a Retry makes it Failed too), so it is recorded but each Failed check blocks by itself.
    /// </summary>
    public static bool Blocks(CheckResult result) =>
        result.State == CheckState.Failed && !IsWaived(result) && result.Detail?.ContainsKey(DeferredKey) != true && result.Check != ReadinessCheckNames.PreflightSummary;

    /// <summary>
    /// DR gates the docs do not ask for: the docs check data consistency and that no Machine is unhealthy; a plugin or
    /// a component Abnormal on some workload cluster stops the runbook too, but can be waived by name.
    /// </summary>
    private static readonly string[] StricterThanDocs = [Consistency.CheckNames.PluginsSettled, Consistency.CheckNames.ComponentsSettled];

    public static bool IsStricterThanDocs(CheckResult result) => StricterThanDocs.Contains(result.Check, StringComparer.Ordinal);

    /// <summary>The DR checks, with the gates stricter than the docs waived where -SkipReadinessCheck names them.</summary>
    public static IReadOnlyList<CheckResult> WaiveStricterThanDocs(IReadOnlyList<CheckResult> checks, RunbookRequest request) =>
        checks.Select(c => IsStricterThanDocs(c) ? Waive(c, request.SkipReadinessCheck) : c).ToList();

    public static bool IsWaived(CheckResult result) => result.Detail?.ContainsKey(WaivedKey) == true;

    // The DR runbook removes the etcd synchronizer before the upgrade and installs the target's line after it. Whether
    // that line is pushed to the standby's own platform is Preflight's TargetSynchronizerPublished (its ArtifactVersions;
    // a ModuleConfig the synchronizer copied from the primary does not say so), so this one does not block twice.
    private static CheckResult Defer(CheckResult result, string? etcdSyncModule) =>
        etcdSyncModule is not null && result.State == CheckState.Failed && result.Check == ReadinessCheckNames.ExtensionPublished
            && result.Target.EndsWith("/" + etcdSyncModule, StringComparison.Ordinal)
            ? Mark(result, DeferredKey, Steps.PreflightTargetSynchronizer.Check, $"Judged by {Steps.PreflightTargetSynchronizer.Check} (the standby's own push): {result.Message}")
            : result;

    /// <summary>The post-upgrade items (PostChecks), with the same waivers: a Failed item blocks the step unless named in -SkipReadinessCheck.</summary>
    public static async Task<IReadOnlyList<CheckResult>> PostUpgradeAsync(RunbookRequest request, ReadinessAssumptions assumptions, ClusterConnection cluster, IReadOnlyList<string> fromLines,
        IReadOnlyDictionary<string, string>? pluginsBefore, CancellationToken cancellationToken)
    {
        var facts = await PostUpgradeReader.ReadAsync(cluster, PlatformVersion.Parse(request.TargetVersion), fromLines, assumptions, cancellationToken).ConfigureAwait(false);
        return PostUpgradeConditions.Judge(facts with { PluginsBefore = pluginsBefore }).Select(r => Waive(r, request.SkipReadinessCheck)).ToList();
    }

    /// <summary>
    /// An open administrator gate is not waived by -SkipReadinessCheck: the Cluster Version Operator's AdminAckRequired
    /// would stop the upgrade anyway [doc master UGC "Handle administrator acknowledgement gates"]; it is acknowledged
    /// with Approve-GlobalUpgradeGate once its prerequisite passes.
    /// </summary>
    private static readonly string[] NotWaivable = [ReadinessCheckNames.AdminGateAcknowledged];

    /// <summary>A Failed result (or a 4.3 preflight output the module could not read) named in <paramref name="waived"/>, marked waived; the state stays.</summary>
    public static CheckResult Waive(CheckResult result, IReadOnlyCollection<string> waived)
    {
        if ((result.State != CheckState.Failed && !UpgradePreflight.IsUnreadable(result)) || !waived.Contains(result.Check, StringComparer.OrdinalIgnoreCase))
        {
            return result;
        }

        return NotWaivable.Contains(result.Check, StringComparer.Ordinal)
            ? Mark(result, "WaiverRefused", true, $"-SkipReadinessCheck {result.Check} does not apply: the preflight's AdminAckRequired would stop the upgrade anyway. {result.Message}")
            : Mark(result, WaivedKey, true, $"Waived by -SkipReadinessCheck {result.Check}: {result.Message}");
    }

    private static CheckResult Mark(CheckResult result, string key, object value, string message)
    {
        var detail = new Dictionary<string, object?>(result.Detail ?? new Dictionary<string, object?>(), StringComparer.Ordinal) { [key] = value };
        return new CheckResult
        {
            Check = result.Check,
            Target = result.Target,
            State = result.State,
            Expected = result.Expected,
            Actual = result.Actual,
            Message = message,
            Detail = detail,
        };
    }

    private static IEnumerable<ClusterConnection> ClustersOf(RunbookRequest request) =>
        request.Standby is { } standby ? [standby, request.Primary] : [request.Primary];

    /// <summary>The gate's (or the post-upgrade items') result in one phrase, for the step's message.</summary>
    public static string Describe(IReadOnlyCollection<CheckResult> readiness, string what = "readiness")
    {
        var waived = readiness.Where(IsWaived).Select(c => $"{c.Check} on {c.Target}").ToList();
        var notChecked = readiness.Where(c => c.State == CheckState.NotChecked).Select(c => c.Check).Distinct(StringComparer.Ordinal).ToList();
        return $" ({what}: {readiness.Count(c => c.State == CheckState.Passed)} of {readiness.Count} passed" +
            (notChecked.Count > 0 ? $"; not checked, not blocking: {ReadinessResult.List(notChecked)}" : "") +
            (waived.Count > 0 ? $"; waived: {string.Join(", ", waived)}" : "") + ")";
    }
}
