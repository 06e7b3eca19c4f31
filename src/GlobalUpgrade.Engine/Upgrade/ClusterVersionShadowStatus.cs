using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// The status of ClusterVersionShadow <c>cpaas-system/global</c> (4.3+) read from the documented fields only
/// [doc: release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx "Observe execution",
/// docs/en/ui/cli_tools/ac/upgrading-clusters.md]: <c>current</c> (applied version and image), <c>desired</c>,
/// <c>conditions</c> (PreflightReady, Ready, Reconciling, Stalled; the CLI page adds Degraded),
/// <c>preflight.observedAt</c> and <c>.checks[]</c> (state Passed / Retry / Failed; no data = no result yet, never
/// passed), <c>stages[]</c> (phase Pending / Running / Finished), <c>availableUpdates</c>.
/// </summary>
public sealed record ClusterVersionShadowStatus
{
    public const string Passed = "Passed";
    public const string Retry = "Retry";
    public const string Failed = "Failed";

    public sealed record Condition(string Type, string? Status, string? Reason, string? Message)
    {
        public bool IsTrue => Status == "True";

        public override string ToString() => $"{Type}={Status ?? "?"}" + (Reason is { Length: > 0 } r ? $" ({r})" : "");
    }

    public sealed record Check(string Name, string? Policy, string? State, string? Reason, string? Message)
    {
        public override string ToString() =>
            $"{Name}: {State ?? "no state"}" + (Reason is { Length: > 0 } r ? $" {r}" : "") + (Message is { Length: > 0 } m ? $" - {m}" : "");
    }

    public sealed record Stage(string Name, long? Priority, string? Phase);

    public string? Current { get; init; }

    public string? Desired { get; init; }

    public IReadOnlyList<Condition> Conditions { get; init; } = [];

    public string? PreflightObservedAt { get; init; }

    public IReadOnlyList<Check> Checks { get; init; } = [];

    public IReadOnlyList<Stage> Stages { get; init; } = [];

    public IReadOnlyList<string> AvailableUpdates { get; init; } = [];

    public Condition? Find(string type) => Conditions.FirstOrDefault(c => c.Type == type);

    public bool IsTrue(string type) => Find(type)?.IsTrue == true;

    /// <summary>Stalled or Degraded: the platform says the upgrade is blocked; the condition carries its reason.</summary>
    public Condition? Blocking => Find("Stalled") is { IsTrue: true } stalled ? stalled : Find("Degraded") is { IsTrue: true } degraded ? degraded : null;

    public bool HasPreflightResult => Checks.Count > 0;

    /// <summary>Every check reported Passed; false while there is no result yet or any check is Retry/Failed/unknown.</summary>
    public bool PreflightPassed => HasPreflightResult && Checks.All(c => c.State == Passed);

    public IEnumerable<Check> FailedChecks => Checks.Where(c => c.State == Failed);

    public IEnumerable<Check> RetryingChecks => Checks.Where(c => c.State == Retry);

    public Stage? RunningStage => Stages.FirstOrDefault(s => s.Phase == "Running");

    public static ClusterVersionShadowStatus Read(JsonObject obj) => new()
    {
        Current = JsonPath.String(obj, "status.current.version"),
        Desired = JsonPath.String(obj, "status.desired.version"),
        Conditions = JsonPath.Objects(obj, "status.conditions")
            .Select(c => new Condition(JsonPath.String(c, "type") ?? "", JsonPath.String(c, "status"), JsonPath.String(c, "reason"), JsonPath.String(c, "message")))
            .Where(c => c.Type.Length > 0).ToList(),
        PreflightObservedAt = JsonPath.String(obj, "status.preflight.observedAt"),
        Checks = JsonPath.Objects(obj, "status.preflight.checks")
            .Select(c => new Check(JsonPath.String(c, "name") ?? "?", JsonPath.String(c, "policy"), JsonPath.String(c, "state"), JsonPath.String(c, "reason"), JsonPath.String(c, "message")))
            .ToList(),
        Stages = JsonPath.Objects(obj, "status.stages")
            .Select(s => new Stage(JsonPath.String(s, "name") ?? "?", JsonPath.Int64(s, "priority"), JsonPath.String(s, "phase")))
            .ToList(),
        // [assumed] entries are objects with "version" (the CLI page names the list, not its items); plain strings are read too.
        AvailableUpdates = (JsonPath.Node(obj, "status.availableUpdates") as JsonArray ?? [])
            .Select(u => u is JsonObject o ? JsonPath.String(o, "version") : u is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)
            .OfType<string>().ToList(),
    };

    /// <summary>Preflight as one word: Passed, NotPassed (Retry or Failed checks) or NoResultYet.</summary>
    public string PreflightSummary => !HasPreflightResult ? "NoResultYet" : PreflightPassed ? "Passed" : "NotPassed";

    /// <summary>Writes what Get-GlobalUpgradeStatus shows of the operator.</summary>
    public void Describe(GlobalUpgradeStatus status)
    {
        status.OperatorDesiredVersion = Desired;
        status.Conditions = [.. Conditions.Select(c => c.ToString())];
        status.Preflight = PreflightSummary;
        status.FailedChecks = [.. FailedChecks.Select(c => c.ToString())];
        status.RetryingChecks = [.. RetryingChecks.Select(c => c.ToString())];
        status.RunningStage = RunningStage?.Name;
        status.AvailableUpdates = [.. AvailableUpdates];
    }

    /// <summary>The platform's reason for a blocked upgrade, with the failed (and still retrying) checks.</summary>
    public string? BlockingReason()
    {
        if (Blocking is not { } condition)
        {
            return null;
        }

        var failed = FailedChecks.Select(c => $"{c.Name} ({c.Policy ?? "?"}): {ComponentState.FirstNonEmpty(c.Reason, "failed")}{(c.Message is { Length: > 0 } m ? " - " + m : "")}").ToList();
        return $"{condition.Type}: {ComponentState.FirstNonEmpty(condition.Reason, "no reason given")}{(condition.Message is { Length: > 0 } message ? " - " + message : "")}"
            + (failed.Count > 0 ? $"; failed preflight checks: {string.Join("; ", failed)}" : "");
    }
}
