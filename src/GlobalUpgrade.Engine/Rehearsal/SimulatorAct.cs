namespace GlobalUpgrade.Rehearsal;

/// <summary>
/// Something the rehearsal asks the simulator to do on one of its clusters once it is ready, through its admin API
/// (<c>POST /_sim/...</c> with <paramref name="Body"/> as JSON): what an operator does on the real platform before the
/// window, which the snapshot cannot hold. Each act is reported by the finding that says so (<see cref="SnapshotFindings"/>).
/// </summary>
public sealed record SimulatorAct(string Cluster, string Path, IReadOnlyDictionary<string, string> Body)
{
    /// <summary>violet push of a plugin package to the cluster's platform.</summary>
    public static SimulatorAct PushPlugin(string cluster, string module, string version) =>
        new(cluster, "/_sim/push-plugin", new Dictionary<string, string> { ["module"] = module, ["version"] = version });

    /// <summary>The target's ProductManifest published, so the Cluster Version Operator offers it.</summary>
    public static SimulatorAct OfferTarget(string cluster, string version) =>
        new(cluster, "/_sim/offer-target", new Dictionary<string, string> { ["version"] = version });

    public override string ToString() => $"[{Cluster}] POST {Path} {string.Join(", ", Body.Select(p => $"{p.Key}={p.Value}"))}";
}
