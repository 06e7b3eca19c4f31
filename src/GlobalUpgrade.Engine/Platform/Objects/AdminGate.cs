using GlobalUpgrade.Readiness;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// One administrator acknowledgement gate of the target release: a key of ConfigMap cpaas-system/admin-gates, and
/// whether cpaas-system/admin-acks holds it as "true" [doc master UGC "Handle administrator acknowledgement gates"].
/// The value that acknowledges and whether a gate's value is its description are
/// <see cref="ReadinessAssumptions.AdminGateAcknowledgedValue"/> and <see cref="ReadinessAssumptions.AdminGateValueIsDescription"/>.
/// </summary>
public sealed record AdminGate(string Name, string? Description, bool Acknowledged)
{
    /// <summary>What the docs say the gate requires, when a line names it; null for a gate the module does not know.</summary>
    public AdminGateDefinition? Definition => PlatformLine.All.SelectMany(l => l.AdminGates).FirstOrDefault(d => d.Name == Name);

    /// <summary>The gates of admin-gates with their acknowledgement in admin-acks (absent: nothing acknowledged), by name.</summary>
    public static IReadOnlyList<AdminGate> From(IReadOnlyDictionary<string, string>? gates, IReadOnlyDictionary<string, string>? acks, ReadinessAssumptions? assumptions = null)
    {
        var a = assumptions ?? ReadinessAssumptions.Default;
        return (gates ?? new Dictionary<string, string>())
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new AdminGate(g.Key, !a.AdminGateValueIsDescription || string.IsNullOrWhiteSpace(g.Value) ? null : g.Value.Trim(),
                acks is not null && acks.TryGetValue(g.Key, out var ack) && string.Equals(ack?.Trim(), a.AdminGateAcknowledgedValue, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }
}
