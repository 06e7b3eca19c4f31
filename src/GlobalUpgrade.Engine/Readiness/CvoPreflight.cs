using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Readiness;

/// <summary>One entry of a 4.3 preflight: CVSH status.preflight.checks[] or a row of upgrade.sh --preflight "Checks".</summary>
public sealed record PreflightEntry(string Name, string? Policy, string? State, string? Reason, string? Message);

/// <summary>
/// The Cluster Version Operator's own preflight (4.3+), judged per documented check: Passed / Failed as reported,
/// Retry and anything else NotChecked ("no final result yet"), a documented check without data NotChecked — never
/// passed [doc: release-4.3 docs/en/ui/cli_tools/ac/upgrading-clusters.md "Preflight Results"].
/// </summary>
public static class CvoPreflight
{
    public const string Source = "release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx \"Run preflight checks\" and \"Observe execution\"";

    /// <summary>[doc: release-4.3 upgrade_global_cluster.mdx "Run preflight checks"] the default check set.</summary>
    public static IReadOnlyList<string> DocumentedChecks { get; } =
    [
        "ResourcePatchUpgradeable", "ClusterVersionUpgradeable", "VersionUpgradePath", "KubernetesVersionSupported",
        "DockerRuntimeUnsupported", "ClusterRunning", "ClusterModuleStable", "ControlPlaneStaticPodsPresent",
        "CustomEtcdBackupCronJobsAbsent", "CRIUpgradePodsAbsent", "ModuleInfoStable", "PlatformLicense",
    ];

    /// <summary>The default check set of a target line: [doc master UGC "Run preflight checks"] adds AdminAckRequired after ClusterVersionUpgradeable where the line has administrator gates.</summary>
    public static IReadOnlyList<string> ChecksFor(PlatformLine line) => line.HasAdminAckGates
        ? [.. DocumentedChecks.Take(2), ReadinessCheckNames.AdminAckRequired, .. DocumentedChecks.Skip(2)]
        : DocumentedChecks;

    /// <summary>The entries of CVSH status.preflight.checks[]; null when the CVSH has no preflight data yet.</summary>
    public static IReadOnlyList<PreflightEntry>? EntriesOf(JsonObject? clusterVersionShadow)
    {
        var checks = clusterVersionShadow is null ? [] : ClusterVersionShadow.From(clusterVersionShadow).Checks;
        return checks.Count == 0
            ? null
            : checks.Where(c => c.Name is { Length: > 0 }).Select(c => new PreflightEntry(c.Name!, c.Policy, c.State, c.Reason, c.Message)).ToList();
    }

    /// <summary>
    /// One result per documented check (plus any other check the platform reported), from <paramref name="entries"/>;
    /// null entries = no data: every check NotChecked, with <paramref name="howToCheck"/> in the message.
    /// </summary>
    public static IReadOnlyList<CheckResult> Judge(string target, IReadOnlyList<PreflightEntry>? entries, string origin, string howToCheck, IReadOnlyList<string>? documented = null)
    {
        documented ??= DocumentedChecks;
        var byName = (entries ?? []).GroupBy(e => e.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var names = documented.Concat(byName.Keys.Where(k => !documented.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal));
        return names.Select(name => byName.TryGetValue(name, out var entry)
            ? FromEntry(target, entry, origin)
            : ReadinessResult.Create(name, target, CheckState.NotChecked, "Passed", "no result",
                entries is null
                    ? $"No preflight data for {name} ({origin}): no result yet, so it is not passed. {howToCheck}"
                    : $"{origin} reports no result for {name} yet, so it is not passed. Run the preflight again later.",
                Source)).ToList();
    }

    private static CheckResult FromEntry(string target, PreflightEntry entry, string origin)
    {
        var detail = new Dictionary<string, object?> { ["Policy"] = entry.Policy, ["Reason"] = entry.Reason, ["Origin"] = origin };
        var said = $"{(string.IsNullOrEmpty(entry.Reason) ? "" : $" (reason {entry.Reason})")}{(string.IsNullOrEmpty(entry.Message) ? "" : $": {entry.Message}")}";
        return entry.State switch
        {
            "Passed" => ReadinessResult.Create(entry.Name, target, CheckState.Passed, "Passed", "Passed", $"{origin}: {entry.Name} Passed{said}.", Source, detail),
            "Failed" => ReadinessResult.Create(entry.Name, target, CheckState.Failed, "Passed", "Failed",
                $"{origin}: {entry.Name} Failed{said}. Resolve it before the window (see \"Handle preflight blocks\" in the 4.3 upgrade guide).", Source, detail),
            "Retry" => ReadinessResult.Create(entry.Name, target, CheckState.NotChecked, "Passed", "Retry",
                $"{origin}: {entry.Name} is Retry{said}: no final result yet, so it is not passed. Wait and check again.", Source, detail),
            _ => ReadinessResult.Create(entry.Name, target, CheckState.NotChecked, "Passed", entry.State ?? "no state",
                $"{origin}: {entry.Name} has the undocumented state '{entry.State}'{said}; it is not counted as passed.", Source, detail),
        };
    }

    /// <summary>The summary of a CVSH preflight: condition PreflightReady True = Passed, False = Failed, else NotChecked.</summary>
    public static CheckResult SummaryOf(string target, JsonObject clusterVersionShadow)
    {
        var shadow = ClusterVersionShadow.From(clusterVersionShadow);
        var ready = shadow.Conditions.FirstOrDefault(c => c.Type == "PreflightReady");
        var status = ready?.Status;
        var state = status switch { "True" => CheckState.Passed, "False" => CheckState.Failed, _ => CheckState.NotChecked };
        var why = ready is null ? "" : $"{(ready.Reason is { Length: > 0 } r ? $" ({r})" : "")}{(ready.Message is { Length: > 0 } m ? $": {m}" : "")}";
        return ReadinessResult.Create(ReadinessCheckNames.PreflightSummary, target, state, "PreflightReady=True", status is null ? "no PreflightReady condition" : $"PreflightReady={status}",
            state switch
            {
                CheckState.Passed => $"The Cluster Version Operator's preflight passed{why}.",
                CheckState.Failed => $"The Cluster Version Operator's preflight did not pass{why}; see the failed checks.",
                _ => $"The Cluster Version Operator has no preflight result yet{why}; it is not counted as passed.",
            },
            Source,
            new Dictionary<string, object?>
            {
                ["ObservedAt"] = shadow.PreflightObservedAt,
                ["CurrentVersion"] = shadow.Current,
                ["DesiredVersion"] = shadow.Desired,
                ["DesiredImage"] = shadow.DesiredImage,
            });
    }
}
