using System.Text.Json.Nodes;
using GlobalUpgrade.Platform.Objects;

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

    public string? Current { get; init; }

    public string? Desired { get; init; }

    public IReadOnlyList<StatusCondition> Conditions { get; init; } = [];

    public string? PreflightObservedAt { get; init; }

    public IReadOnlyList<ClusterVersionShadow.Check> Checks { get; init; } = [];

    public IReadOnlyList<ClusterVersionShadow.Stage> Stages { get; init; } = [];

    public IReadOnlyList<string> AvailableUpdates { get; init; } = [];

    public StatusCondition? Find(string type) => Conditions.FirstOrDefault(c => c.Type == type);

    public bool IsTrue(string type) => Find(type)?.IsTrue == true;

    /// <summary>Stalled or Degraded: the platform says the upgrade is blocked; the condition carries its reason.</summary>
    public StatusCondition? Blocking => Find("Stalled") is { IsTrue: true } stalled ? stalled : Find("Degraded") is { IsTrue: true } degraded ? degraded : null;

    public bool HasPreflightResult => Checks.Count > 0;

    /// <summary>Every check reported Passed; false while there is no result yet or any check is Retry/Failed/unknown.</summary>
    public bool PreflightPassed => HasPreflightResult && Checks.All(c => c.State == Passed);

    public IEnumerable<ClusterVersionShadow.Check> FailedChecks => Checks.Where(c => c.State == Failed);

    public IEnumerable<ClusterVersionShadow.Check> RetryingChecks => Checks.Where(c => c.State == Retry);

    public ClusterVersionShadow.Stage? RunningStage => Stages.FirstOrDefault(s => s.Phase == "Running");

    public static ClusterVersionShadowStatus Read(JsonObject obj) => Of(ClusterVersionShadow.From(obj));

    /// <summary>The status part of the typed object.</summary>
    public static ClusterVersionShadowStatus Of(ClusterVersionShadow shadow) => new()
    {
        Current = shadow.Current,
        Desired = shadow.Desired,
        Conditions = shadow.Conditions,
        PreflightObservedAt = shadow.PreflightObservedAt,
        Checks = shadow.Checks,
        Stages = shadow.Stages,
        AvailableUpdates = shadow.AvailableUpdates,
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

        var failed = FailedChecks.Select(c => $"{c.Name ?? "?"} ({c.Policy ?? "?"}): {ComponentState.FirstNonEmpty(c.Reason, "failed")}{(c.Message is { Length: > 0 } m ? " - " + m : "")}").ToList();
        return $"{condition.Type}: {ComponentState.FirstNonEmpty(condition.Reason, "no reason given")}{(condition.Message is { Length: > 0 } message ? " - " + message : "")}"
            + (failed.Count > 0 ? $"; failed preflight checks: {string.Join("; ", failed)}" : "");
    }
}
