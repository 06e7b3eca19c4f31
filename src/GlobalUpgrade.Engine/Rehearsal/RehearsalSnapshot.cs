using GlobalUpgrade.Errors;
using GlobalUpgrade.Snapshot;
using GlobalUpgrade.Validation;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Rehearsal;

/// <summary>
/// What a rehearsal needs to know of a snapshot before the simulator reads it: a DR pair (a Primary and a Standby)
/// or one cluster, each cluster's name and platform version, and each cluster's entry, from which the rehearsal
/// judges what the snapshot lacks (<see cref="SnapshotFindings"/>).
/// </summary>
public sealed record RehearsalSnapshot(string Path, bool IsDr, IReadOnlyList<(string Name, string Role, string? PlatformVersion)> Clusters)
{
    /// <summary>
    /// The address of one of the primary's control-plane nodes (a master Machine's spec.ip), when the snapshot holds
    /// one: its etcd answers on 2379, the documented direct access of the synchronizer [doc release-4.3 DRI "Step 3:
    /// Enable etcd Synchronization"], so a rehearsal without the operator's VIP can still connect its synchronizer.
    /// </summary>
    public string? PrimaryControlPlaneAddress { get; init; }

    /// <summary>Each cluster's entry of the snapshot under the simulator's name for it (<see cref="Contexts"/>), in the file's order.</summary>
    public IReadOnlyList<(string Context, JObject Entry)> Entries { get; init; } = [];

    /// <summary>The simulator's kubeconfig contexts: primary/standby for a pair, global for one cluster.</summary>
    public IReadOnlyList<(string Context, string Role)> Contexts =>
        IsDr ? [("primary", "Primary"), ("standby", "Standby")] : [("global", "Standalone")];

    public static RehearsalSnapshot Read(string path)
    {
        FileInput.Existing(path, "-SnapshotPath", ErrorIds.RehearsalSnapshotNotFound);
        JObject document;
        try
        {
            using var reader = new JsonTextReader(File.OpenText(path)) { DateParseHandling = DateParseHandling.None };
            document = JObject.Load(reader);
        }
        catch (JsonException ex)
        {
            throw Invalid(path, $"The snapshot '{path}' is not JSON ({ex.Message.Split('\n')[0]}). Take it again with Export-GlobalClusterSnapshot.");
        }

        if ((string?)document["kind"] != SnapshotFormat.Kind)
        {
            throw Invalid(path, $"'{path}' is not a snapshot (its kind is '{(string?)document["kind"]}', not {SnapshotFormat.Kind}). Take one with Export-GlobalClusterSnapshot -Path <file>.");
        }

        SnapshotFormat.RequireSupportedVersion(document["formatVersion"], path);
        var clusters = (document["clusters"] as JArray ?? [])
            .OfType<JObject>()
            .Select(c => ((string?)c["name"] ?? "", (string?)c["role"] ?? "", (string?)c["platformVersion"]))
            .ToList();
        var roles = clusters.Select(c => c.Item2).ToList();
        var isDr = roles.Contains("Primary", StringComparer.OrdinalIgnoreCase) && roles.Contains("Standby", StringComparer.OrdinalIgnoreCase);
        if (clusters.Count == 0 || clusters.Count > 2 || (clusters.Count == 2 && !isDr))
        {
            throw Invalid(path, $"The snapshot '{path}' holds {clusters.Count} cluster(s) with roles [{string.Join(", ", roles)}]: a rehearsal needs one cluster, or a Primary and a Standby.");
        }

        var entries = (document["clusters"] as JArray ?? []).OfType<JObject>().Select(c => (ContextOf((string?)c["role"], isDr), c)).ToList();
        return new RehearsalSnapshot(path, isDr, clusters)
        {
            PrimaryControlPlaneAddress = isDr ? ControlPlaneAddress(document, "Primary") : null,
            Entries = entries,
        };
    }

    // The simulator names a pair's clusters after their roles, and one cluster "global".
    private static string ContextOf(string? role, bool isDr) =>
        !isDr ? "global" : string.Equals(role, "Primary", StringComparison.OrdinalIgnoreCase) ? "primary" : "standby";

    private static string? ControlPlaneAddress(JObject document, string role) =>
        (document["clusters"] as JArray ?? [])
            .OfType<JObject>()
            .Where(c => string.Equals((string?)c["role"], role, StringComparison.OrdinalIgnoreCase))
            .SelectMany(c => (c["objects"] as JArray ?? []).OfType<JObject>())
            .Where(o => (string?)o["kind"] == "Machine" && (string?)o["spec"]?["role"] == "master")
            .Select(o => (string?)o["spec"]?["ip"])
            .FirstOrDefault(ip => !string.IsNullOrWhiteSpace(ip));

    private static GlobalUpgradeException Invalid(string path, string message) =>
        new(ErrorIds.RehearsalSnapshotInvalid, FailureCategory.InvalidData, message, path);
}
