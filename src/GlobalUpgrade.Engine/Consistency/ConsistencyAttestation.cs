namespace GlobalUpgrade.Consistency;

/// <summary>
/// Consistency evidence where the platform documents no /check report (3.16, 3.18: the synchronizer runs on the
/// primary, and the docs only say "follow your regular global DR inspection procedures" [doc release-4.0
/// upgrade/upgrade_global_cluster.mdx]). StandbyInSync is then NOT CHECKED, never passed; the operator either compares
/// the etcd keyspaces directly (StandbyKeyspaceMatches) or attests the inspection they made, and the attestation is
/// recorded with the check (journal, report) — it lets the runbook go on, it never turns the check green.
/// </summary>
public static class ConsistencyAttestation
{
    public const string DetailKey = "Attestation";

    public static CheckResult MonitorNotDocumented(string standby, string version) => NotChecked.Result(
        CheckNames.StandbyInSync,
        standby,
        Errors.ErrorIds.SyncMonitorNotDocumented,
        $"ACP {version} documents no etcd sync report (/check) — its synchronizer runs on the primary, and the docs ask for \"your regular global DR inspection procedures\". Compare the etcd keyspaces directly (Test-GlobalDrConsistency -Source Etcd -PrimaryEtcdEndpoint … -StandbyEtcdEndpoint … with each side's certificates), or make your inspection and give the runbook -ConsistencyAttestation '<who checked what, when>' (recorded in the journal and the report).");

    /// <summary>Whether a check is the one an attestation may stand in for: StandbyInSync where no report is documented.</summary>
    public static bool CanAttest(CheckResult check) =>
        check.Check == CheckNames.StandbyInSync && check.State == CheckState.NotChecked
        && check.Detail?.GetValueOrDefault("ErrorId") as string == Errors.ErrorIds.SyncMonitorNotDocumented;

    public static bool IsAttested(CheckResult check) => check.Detail?.ContainsKey(DetailKey) == true;

    /// <summary>The checks with the attestation recorded on the one it stands in for; still NOT CHECKED, never Passed.</summary>
    public static IReadOnlyList<CheckResult> Apply(IReadOnlyList<CheckResult> checks, string? attestation) =>
        string.IsNullOrWhiteSpace(attestation)
            ? checks
            : checks.Select(c => CanAttest(c) ? Attest(c, attestation) : c).ToList();

    private static CheckResult Attest(CheckResult check, string attestation) => new()
    {
        Check = check.Check,
        Target = check.Target,
        State = CheckState.NotChecked,
        Expected = check.Expected,
        Actual = "attested by the operator",
        Message = $"NOT CHECKED by the module (no report is documented for this version); attested by the operator: \"{attestation}\".",
        Detail = new Dictionary<string, object?>(check.Detail ?? new Dictionary<string, object?>()) { [DetailKey] = attestation },
    };
}
