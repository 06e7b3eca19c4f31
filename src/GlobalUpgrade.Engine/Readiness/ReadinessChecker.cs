using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.Readiness;

/// <summary>How the node checks reach the control-plane nodes.</summary>
public enum NodeAccess
{
    /// <summary>No node access: node checks are NotChecked.</summary>
    None,

    /// <summary>This machine is the (one) control-plane node to check.</summary>
    Local,

    /// <summary>The one node named by the operator, over SSH.</summary>
    Named,

    /// <summary>Every control-plane Machine of each global cluster (spec.ip), over SSH with the same options.</summary>
    ControlPlane,
}

public sealed record ReadinessRequest(IReadOnlyList<ClusterConnection> Clusters, PlatformVersion Target)
{
    public ReadinessAssumptions Assumptions { get; init; } = ReadinessAssumptions.Default;

    /// <summary>-KubernetesVersionRange: replaces the documented prerequisite.</summary>
    public string? KubernetesVersionRange { get; init; }

    public NodeAccess NodeAccess { get; init; }

    /// <summary>The SSH options (Named: with ComputerName; ControlPlane: ComputerName replaced per node).</summary>
    public RemoteTarget Node { get; init; } = RemoteTarget.Local;

    /// <summary>A 4.3 package on the node: its upgrade.sh --preflight replaces the CVSH's preflight data.</summary>
    public string? PackagePath { get; init; }
}

/// <summary>Test-GlobalUpgradeReadiness: reads each cluster, measures the nodes, judges every condition. Changes nothing.</summary>
public static class ReadinessChecker
{
    public static async Task<IReadOnlyList<CheckResult>> RunAsync(ReadinessRequest request, CancellationToken cancellationToken)
    {
        if (request.NodeAccess is NodeAccess.Local or NodeAccess.Named && request.Clusters.Count > 1)
        {
            throw new GlobalUpgradeException(ErrorIds.NodeClusterAmbiguous, FailureCategory.InvalidArgument,
                $"One node ({request.Node.DisplayName}) cannot stand for {request.Clusters.Count} clusters ({string.Join(", ", request.Clusters.Select(c => c.Name))}). Name one with -Cluster, or leave out -ComputerName/-Local to reach every control-plane node of each cluster over SSH.");
        }

        if (request.PackagePath is not null && request.NodeAccess == NodeAccess.None)
        {
            throw new GlobalUpgradeException(ErrorIds.NodeAccessRequired, FailureCategory.InvalidArgument,
                "-PackagePath names a folder on a control-plane node, but no node access was given. Add -Local (this machine is the node) or -ComputerName with SSH options.", request.PackagePath);
        }

        var results = new List<CheckResult>();
        foreach (var cluster in request.Clusters)
        {
            var facts = await ReadinessReader.ReadAsync(cluster, request.Target, request.Assumptions, cancellationToken).ConfigureAwait(false);
            var from = facts.From;
            facts = facts with
            {
                KubernetesOverride = request.KubernetesVersionRange is { } range ? KubernetesPrerequisites.Parse(range, from?.Line ?? "?", request.Target.Line) : null,
                MinioSpace = await MeasureAsync(request, facts.ControlPlaneNodes, cancellationToken).ConfigureAwait(false),
                NodeKernels = PlatformLine.For(request.Target).NodeReadiness is null ? null
                    : await MeasureKernelsAsync(request.NodeAccess, request.Node, facts.GlobalNodes.Count > 0 ? facts.GlobalNodes : facts.ControlPlaneNodes, cancellationToken).ConfigureAwait(false),
                PackagePreflight = request.PackagePath is { } package && PlatformLine.For(request.Target).HasPackagePreflight && NodeOf(request, facts.ControlPlaneNodes) is { } node
                    ? await UpgradePreflight.RunAsync(node, package, $"{cluster.Name}/preflight", cancellationToken).ConfigureAwait(false)
                    : null,
            };
            results.AddRange(ReadinessConditions.Judge(facts));
        }

        return results;
    }

    private static async Task<IReadOnlyList<MinioSpace>?> MeasureAsync(ReadinessRequest request, IReadOnlyList<string> controlPlane, CancellationToken cancellationToken)
    {
        if (request.NodeAccess == NodeAccess.None)
        {
            return null;
        }

        var measured = new List<MinioSpace>();
        foreach (var (name, target) in NodesOf(request, controlPlane))
        {
            measured.Add(await MinioSpaceProbe.MeasureAsync(target, name, request.Assumptions.MinioPath, cancellationToken).ConfigureAwait(false));
        }

        return measured;
    }

    /// <summary>The node readiness commands on every node the access reaches (<paramref name="nodes"/>: every Machine of the global cluster); null without node access.</summary>
    public static async Task<IReadOnlyList<NodeKernel>?> MeasureKernelsAsync(NodeAccess access, RemoteTarget node, IReadOnlyList<string> nodes, CancellationToken cancellationToken)
    {
        if (access == NodeAccess.None)
        {
            return null;
        }

        var measured = new List<NodeKernel>();
        foreach (var (name, target) in NodesOf(access, node, nodes))
        {
            measured.Add(await NodeReadinessProbe.MeasureAsync(target, name, cancellationToken).ConfigureAwait(false));
        }

        return [.. measured, .. NotReached(access, node, nodes)];
    }

    /// <summary>
    /// The Machines one named node (-ComputerName, -Local) does not stand for: the docs ask the checks on every node,
    /// so each is reported unmeasured rather than covered by the one that was reached.
    /// </summary>
    internal static IEnumerable<NodeKernel> NotReached(NodeAccess access, RemoteTarget node, IReadOnlyList<string> machines)
    {
        var reached = access switch
        {
            NodeAccess.Named => node.ComputerName,
            NodeAccess.Local => Environment.MachineName,
            _ => null,
        };
        return access is NodeAccess.Named or NodeAccess.Local
            ? machines.Where(m => !string.Equals(m, reached, StringComparison.OrdinalIgnoreCase))
                .Select(m => new NodeKernel(m, null, null, $"not reached: {(access == NodeAccess.Local ? "-Local" : "-ComputerName")} checks one node only; give the SSH options without -ComputerName to reach every Machine of the global cluster"))
            : [];
    }

    private static RemoteTarget? NodeOf(ReadinessRequest request, IReadOnlyList<string> controlPlane) =>
        request.NodeAccess == NodeAccess.None ? null : NodesOf(request, controlPlane)[0].Target;

    private static List<(string Name, RemoteTarget Target)> NodesOf(ReadinessRequest request, IReadOnlyList<string> controlPlane) =>
        NodesOf(request.NodeAccess, request.Node, controlPlane);

    private static List<(string Name, RemoteTarget Target)> NodesOf(NodeAccess access, RemoteTarget node, IReadOnlyList<string> machines) => access switch
    {
        NodeAccess.Local => [(Environment.MachineName, RemoteTarget.Local)],
        NodeAccess.Named => [(node.DisplayName, node)],
        _ => machines.Count > 0
            ? machines.Select(ip => (ip, node with { ComputerName = ip })).ToList()
            : throw new GlobalUpgradeException(ErrorIds.NodeClusterAmbiguous, FailureCategory.ObjectNotFound,
                "The global cluster lists no control-plane Machine (spec.role master), so there is no node to reach. Name the node with -ComputerName."),
    };
}
