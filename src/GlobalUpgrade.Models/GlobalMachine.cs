namespace GlobalUpgrade;

/// <summary>A <c>machines.platform.tkestack.io</c> object of a connected global cluster.</summary>
public sealed class GlobalMachine
{
    /// <summary>The connection (GlobalCluster name) the machine was read from.</summary>
    public required string Cluster { get; init; }

    public required string Name { get; init; }

    /// <summary>spec.clusterName: the ACP cluster the node belongs to.</summary>
    public string? ClusterName { get; init; }

    public string? IP { get; init; }

    public string? Role { get; init; }

    /// <summary>status.phase; empty when the platform has not reported one yet.</summary>
    public string? Phase { get; init; }

    public bool IsRunning => string.Equals(Phase, MachinePhases.Running, StringComparison.Ordinal);

    public string? Reason { get; init; }

    public string? Message { get; init; }
}

/// <summary>Machine phases of platform.tkestack.io/v1 [schema].</summary>
public static class MachinePhases
{
    public const string Running = "Running";
    public const string Failed = "Failed";
    public const string Initializing = "Initializing";
    public const string Terminating = "Terminating";
    public const string Upgrading = "Upgrading";
}
