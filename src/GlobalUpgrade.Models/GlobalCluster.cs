namespace GlobalUpgrade;

/// <summary>A connected ACP global cluster, as Connect-GlobalCluster returns it.</summary>
public sealed class GlobalCluster
{
    public required string Name { get; init; }

    public required ClusterRole Role { get; init; }

    public required string Context { get; init; }

    public required Uri Server { get; init; }

    /// <summary>ProductBase <c>base</c> status.version, e.g. "4.1.2".</summary>
    public required string PlatformVersion { get; init; }

    public required string KubernetesVersion { get; init; }

    /// <summary>ProductBase <c>base</c> status.phase.</summary>
    public string? PlatformPhase { get; init; }

    public required string Kubeconfig { get; init; }

    /// <summary>The user entry of the kubeconfig context; a name, never a credential.</summary>
    public string? User { get; init; }

    public DateTimeOffset ConnectedAt { get; init; }

    public override string ToString() => Name;
}
