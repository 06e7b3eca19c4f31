namespace GlobalUpgrade.Platform;

/// <summary>
/// An administrator acknowledgement gate the docs name for a line, and what must be true before it is acknowledged
/// [doc master UGC "Handle administrator acknowledgement gates"]. The release lists its gates in
/// <c>cpaas-system/admin-gates</c>; a gate found there that no line names has no prerequisite the module can check.
/// </summary>
public sealed record AdminGateDefinition(string Name, string Requires, NodeReadinessRequirement? NodeReadiness, string Citation)
{
    /// <summary>
    /// [doc master UGC "Handle administrator acknowledgement gates"]: "For ACP 4.4 upgrades to Kubernetes 1.35, the
    /// built-in gate key is ack-4.4-kubernetes-1.35-kernel-update"; "Before acknowledging this gate, complete the ACP
    /// 4.4 Kubernetes 1.35 node readiness checks … on every production node".
    /// </summary>
    public static AdminGateDefinition Kubernetes135KernelUpdate { get; } = new(
        "ack-4.4-kubernetes-1.35-kernel-update",
        "the Kubernetes 1.35 node readiness checks passed on every node: kernel 5.8 or later, cgroup v2",
        NodeReadinessRequirement.Kubernetes135,
        "master docs/en/upgrade/upgrade_global_cluster.mdx \"Handle administrator acknowledgement gates\"");
}
