using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Readiness;

/// <summary>One pod as the health check sees it: phase, whether every container is ready, the first waiting/terminated reason.</summary>
public sealed record PodHealth(string Name, string? Phase, bool Ready, string? Reason)
{
    /// <summary>Running with every container ready, or a finished job pod (Succeeded).</summary>
    public bool Healthy => Phase == "Succeeded" || (Phase == "Running" && Ready);

    public override string ToString() => $"{Name} ({Phase ?? "no phase"}{(Ready ? "" : ", not ready")}{(Reason is null ? "" : $", {Reason}")})";
}

/// <summary>
/// What the post-upgrade conditions need from one upgraded global cluster, read once (PostUpgradeReader) and judged
/// without I/O (PostUpgradeConditions), so xunit can cover every rule.
/// </summary>
public sealed record PostUpgradeFacts
{
    public required string Cluster { get; init; }

    /// <summary>The version the cluster was upgraded to.</summary>
    public required PlatformVersion Target { get; init; }

    /// <summary>The lines the clusters ran before the upgrade (an Aligned plugin not yet upgraded still carries one).</summary>
    public IReadOnlyList<string> FromLines { get; init; } = [];

    public ReadinessAssumptions Assumptions { get; init; } = ReadinessAssumptions.Default;

    public IReadOnlyList<InstalledPlugin> InstalledPlugins { get; init; } = [];

    /// <summary>Every plugin's version as Preflight recorded it ("&lt;cluster label&gt;/&lt;module&gt;" → version); null when not recorded.</summary>
    public IReadOnlyDictionary<string, string>? PluginsBefore { get; init; }

    public IReadOnlyList<PublishedPlugin> PublishedPlugins { get; init; } = [];

    /// <summary>The cluster's Kubernetes version as its API server reports it (/version gitVersion); null when not read.</summary>
    public string? KubernetesVersion { get; init; }

    /// <summary>The pods in the GitOps namespace; null when no GitOps plugin is installed (nothing was read).</summary>
    public IReadOnlyList<PodHealth>? GitOpsPods { get; init; }
}
