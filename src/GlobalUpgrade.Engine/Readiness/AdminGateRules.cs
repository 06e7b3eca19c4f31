using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using static GlobalUpgrade.Readiness.ReadinessCheckNames;
using static GlobalUpgrade.Readiness.ReadinessResult;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// Each administrator gate of cpaas-system/admin-gates as one result [doc master UGC "Handle administrator
/// acknowledgement gates"]: acknowledged (admin-acks holds "true") Passed; open Failed, since the preflight's
/// AdminAckRequired fails on it; with what the gate requires and whether that prerequisite is met.
/// </summary>
public static class AdminGateRules
{
    public const string Source = "master docs/en/upgrade/upgrade_global_cluster.mdx \"Handle administrator acknowledgement gates\" and pre-upgrade.mdx \"ACP 4.4 Kubernetes 1.35 Node Readiness\"";

    /// <summary>The cmdlet that acknowledges a gate; open gates name it.</summary>
    public const string ApproveCommand = "Approve-GlobalUpgradeGate";

    public static IEnumerable<CheckResult> Judge(ReadinessFacts f)
    {
        if (f.AdminGates is null)
        {
            var named = string.Join(", ", PlatformLine.For(f.Target).AdminGates.Select(g => g.Name));
            yield return Create(AdminGateAcknowledged, $"{f.Cluster}/{AdminGateConfigMaps.GatesName}", CheckState.NotChecked, "every gate acknowledged", "no admin-gates",
                $"{f.Cluster} has no ConfigMap {AdminGateConfigMaps.Namespace}/{AdminGateConfigMaps.GatesName}, so its administrator gates could not be listed (the docs name {(named.Length > 0 ? named : "none")} for {f.Target.Line}). Check again once the {f.Target.Line} release is prepared on the cluster; the preflight's AdminAckRequired decides.",
                Source);
            yield break;
        }

        foreach (var gate in f.AdminGates)
        {
            var prerequisite = Prerequisite(f.Cluster, gate, f.GlobalNodes, f.NodeKernels);
            yield return Result(f.Cluster, gate, prerequisite);
        }
    }

    /// <summary>The gate's prerequisite checks: the node readiness of a gate the docs name; a NotChecked result for an unknown gate.</summary>
    public static IReadOnlyList<CheckResult> Prerequisite(string cluster, AdminGate gate, IReadOnlyList<string> nodes, IReadOnlyList<NodeKernel>? measured) =>
        gate.Definition?.NodeReadiness is { } requirement
            ? NodeReadinessRules.Judge(cluster, nodes, measured, requirement).ToList()
            : [Create(AdminGateAcknowledged, $"{cluster}/{AdminGateConfigMaps.GatesName}/{gate.Name}", CheckState.NotChecked, "the gate's prerequisite met", "unknown prerequisite",
                $"The docs name no prerequisite for gate {gate.Name}, so the module cannot check it. Read its description ({gate.Description ?? "none"}; kubectl -n {AdminGateConfigMaps.Namespace} get configmap {AdminGateConfigMaps.GatesName} -o yaml) and do what it asks.",
                Source)];

    /// <summary>Met (every check Passed), not met (one Failed) or unknown (null: some NotChecked, or none).</summary>
    public static bool? IsMet(IReadOnlyList<CheckResult> prerequisite) =>
        prerequisite.Any(c => c.State == CheckState.Failed) ? false
        : prerequisite.Count > 0 && prerequisite.All(c => c.State == CheckState.Passed) ? true
        : null;

    /// <summary>What a gate requires, in words.</summary>
    public static string Requires(AdminGate gate) =>
        gate.Definition?.Requires ?? $"not documented for this gate: see its description ({gate.Description ?? "none"})";

    private static CheckResult Result(string cluster, AdminGate gate, IReadOnlyList<CheckResult> prerequisite)
    {
        var met = IsMet(prerequisite);
        var target = $"{cluster}/{AdminGateConfigMaps.GatesName}/{gate.Name}";
        var detail = new Dictionary<string, object?>
        {
            ["Gate"] = gate.Name,
            ["Description"] = gate.Description,
            ["Requires"] = Requires(gate),
            ["PrerequisiteMet"] = met,
            ["Prerequisite"] = prerequisite.Where(c => c.State != CheckState.Passed).Select(c => $"{c.Check} {c.State} on {c.Target}").ToArray(),
        };
        if (gate.Acknowledged)
        {
            return Create(AdminGateAcknowledged, target, CheckState.Passed, "acknowledged", "acknowledged",
                $"Gate {gate.Name} is acknowledged in {AdminGateConfigMaps.Namespace}/{AdminGateConfigMaps.AcksName}.", Source, detail);
        }

        var state = met switch
        {
            true => "met: acknowledge it",
            false => $"NOT met ({List(prerequisite.Where(c => c.State == CheckState.Failed).Select(c => $"{c.Check} on {c.Target}"))}): fix that first",
            null => "not checked: give node access to check it, or check it by hand",
        };
        return Create(AdminGateAcknowledged, target, CheckState.Failed, "acknowledged", "open",
            $"Gate {gate.Name} is not acknowledged, so the preflight's AdminAckRequired fails. It requires {Requires(gate)}; prerequisite {state}. Then run {ApproveCommand} -Name {gate.Name} -Cluster {cluster} (with the node options).",
            Source, detail);
    }
}
