using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// ClusterVersionShadow <c>cpaas-system/global</c> (4.3+), its documented fields only [doc: release-4.3
/// docs/en/upgrade/upgrade_global_cluster.mdx "Observe execution", docs/en/ui/cli_tools/ac/upgrading-clusters.md]:
/// <c>status.current</c> (applied version), <c>status.desired</c> (version and image), <c>status.conditions</c>,
/// <c>status.preflight.observedAt</c> and <c>.checks[]</c>, <c>status.stages[]</c>, <c>status.availableUpdates</c>;
/// the target is written at the component profile's field (spec.desiredUpdate.version [doc]).
/// </summary>
public sealed record ClusterVersionShadow
{
    /// <summary>One check of status.preflight.checks[] (state Passed / Retry / Failed); Name null when the entry has none.</summary>
    public sealed record Check(string? Name, string? Policy, string? State, string? Reason, string? Message)
    {
        public override string ToString() =>
            $"{Name ?? "?"}: {State ?? "no state"}" + (Reason is { Length: > 0 } r ? $" {r}" : "") + (Message is { Length: > 0 } m ? $" - {m}" : "");
    }

    /// <summary>One entry of status.stages[] (phase Pending / Running / Finished).</summary>
    public sealed record Stage(string Name, long? Priority, string? Phase);

    public required ObjectMeta Meta { get; init; }

    public string? Current { get; init; }

    public string? Desired { get; init; }

    public string? DesiredImage { get; init; }

    public IReadOnlyList<StatusCondition> Conditions { get; init; } = [];

    public string? PreflightObservedAt { get; init; }

    public IReadOnlyList<Check> Checks { get; init; } = [];

    public IReadOnlyList<Stage> Stages { get; init; } = [];

    public IReadOnlyList<string> AvailableUpdates { get; init; } = [];

    public long? ObservedGeneration { get; init; }

    /// <summary>The status describes the current spec (observedGeneration ≥ generation, or either not published).</summary>
    public bool Observed => ObservedGeneration is null || Meta.Generation is null || ObservedGeneration >= Meta.Generation;

    private JsonObject Source { get; init; } = new();

    /// <summary>A field at a dotted path the component profile names (a user can override the path).</summary>
    public string? Field(string dottedPath) => JsonPath.String(Source, dottedPath);

    public static ClusterVersionShadow From(JsonObject obj) => new()
    {
        Source = obj,
        Meta = ObjectMeta.Of(obj),
        Current = JsonPath.String(obj, "status.current.version"),
        Desired = JsonPath.String(obj, "status.desired.version"),
        DesiredImage = JsonPath.String(obj, "status.desired.image"),
        Conditions = StatusCondition.Of(obj),
        PreflightObservedAt = JsonPath.String(obj, "status.preflight.observedAt"),
        Checks = JsonPath.Objects(obj, "status.preflight.checks")
            .Select(c => new Check(JsonPath.String(c, "name"), JsonPath.String(c, "policy"), JsonPath.String(c, "state"), JsonPath.String(c, "reason"), JsonPath.String(c, "message")))
            .ToList(),
        Stages = JsonPath.Objects(obj, "status.stages")
            .Select(s => new Stage(JsonPath.String(s, "name") ?? "?", JsonPath.Int64(s, "priority"), JsonPath.String(s, "phase")))
            .ToList(),
        // [assumed] entries are objects with "version" (the CLI page names the list, not its items); plain strings are read too.
        AvailableUpdates = (JsonPath.Node(obj, "status.availableUpdates") as JsonArray ?? [])
            .Select(u => u is JsonObject o ? JsonPath.String(o, "version") : u is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)
            .OfType<string>().ToList(),
        ObservedGeneration = JsonPath.Int64(obj, "status.observedGeneration"),
    };
}
