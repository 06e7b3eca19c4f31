using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>A batch job (the synchronizer's bootstrap job, 4.3.1+).</summary>
public sealed record Job
{
    public required ObjectMeta Meta { get; init; }

    public string Name => Meta.Name;

    public long Active { get; init; }

    public long Succeeded { get; init; }

    public long Failed { get; init; }

    public IReadOnlyList<StatusCondition> Conditions { get; init; } = [];

    /// <summary>Condition Complete, or a pod succeeded.</summary>
    public bool IsComplete => Conditions.Any(c => c.Type == "Complete" && c.IsTrue) || Succeeded >= 1;

    /// <summary>Condition Failed.</summary>
    public bool HasFailed => Conditions.Any(c => c.Type == "Failed" && c.IsTrue);

    /// <summary>"reason: message" of the Failed condition.</summary>
    public string FailureMessage => Conditions.Where(c => c.Type == "Failed").Select(c => $"{c.Reason}: {c.Message}").FirstOrDefault() ?? "Failed";

    public string Describe() => $"job {Name}: active {Active}, succeeded {Succeeded}, failed {Failed}";

    public static Job From(JsonObject obj) => new()
    {
        Meta = ObjectMeta.Of(obj),
        Active = JsonPath.Int64(obj, "status.active") ?? 0,
        Succeeded = JsonPath.Int64(obj, "status.succeeded") ?? 0,
        Failed = JsonPath.Int64(obj, "status.failed") ?? 0,
        Conditions = StatusCondition.Of(obj),
    };
}
