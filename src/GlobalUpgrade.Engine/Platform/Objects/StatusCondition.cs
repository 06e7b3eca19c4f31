using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>One entry of an object's status.conditions.</summary>
public sealed record StatusCondition(string Type, string? Status, string? Reason, string? Message)
{
    public bool IsTrue => Status == "True";

    public override string ToString() => $"{Type}={Status ?? "?"}" + (Reason is { Length: > 0 } r ? $" ({r})" : "");

    /// <summary>The typed conditions of an object (entries without a type left out).</summary>
    public static IReadOnlyList<StatusCondition> Of(JsonNode? obj) =>
        JsonPath.Objects(obj, "status.conditions")
            .Select(c => new StatusCondition(JsonPath.String(c, "type") ?? "", JsonPath.String(c, "status"), JsonPath.String(c, "reason"), JsonPath.String(c, "message")))
            .Where(c => c.Type.Length > 0).ToList();
}
