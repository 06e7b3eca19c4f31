namespace GlobalUpgrade.Simulator.Scenarios;

/// <summary>
/// Something a snapshot lacks or holds in a form the simulator cannot drive, which a rehearsal must report rather
/// than paper over. <paramref name="Code"/> is stable (tests and reports match on it).
/// </summary>
public sealed record SnapshotFinding(string Cluster, string Code, string Message)
{
    public override string ToString() => $"[{Cluster}] {Code}: {Message}";
}
