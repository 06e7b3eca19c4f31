namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// One administrator acknowledgement gate of the target release: a key of ConfigMap cpaas-system/admin-gates, and
/// whether cpaas-system/admin-acks holds it as "true" [doc master UGC "Handle administrator acknowledgement gates"].
/// The value under a gate's key is read as its description [assumed: the docs show the key, not the value].
/// </summary>
public sealed record AdminGate(string Name, string? Description, bool Acknowledged)
{
    /// <summary>[doc master UGC] the acknowledgement's value: <c>{"data":{"&lt;gate&gt;":"true"}}</c>.</summary>
    public const string AcknowledgedValue = "true";

    /// <summary>What the docs say the gate requires, when a line names it; null for a gate the module does not know.</summary>
    public AdminGateDefinition? Definition => PlatformLine.All.SelectMany(l => l.AdminGates).FirstOrDefault(d => d.Name == Name);

    /// <summary>The gates of admin-gates with their acknowledgement in admin-acks (absent: nothing acknowledged), by name.</summary>
    public static IReadOnlyList<AdminGate> From(IReadOnlyDictionary<string, string>? gates, IReadOnlyDictionary<string, string>? acks) =>
        (gates ?? new Dictionary<string, string>())
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new AdminGate(g.Key, string.IsNullOrWhiteSpace(g.Value) ? null : g.Value.Trim(),
                acks is not null && acks.TryGetValue(g.Key, out var ack) && string.Equals(ack?.Trim(), AcknowledgedValue, StringComparison.OrdinalIgnoreCase)))
            .ToList();
}
