using GlobalUpgrade.Platform;
using static GlobalUpgrade.Readiness.ReadinessCheckNames;
using static GlobalUpgrade.Readiness.ReadinessResult;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// The node readiness a target's Kubernetes needs on every node that will run it (<see cref="PlatformLine.NodeReadiness"/>):
/// kernel and cgroup v2, one result each per node. No node access: NotChecked per node, with the commands to run by hand.
/// </summary>
public static class NodeReadinessRules
{
    public static IEnumerable<CheckResult> Judge(ReadinessFacts f) =>
        PlatformLine.For(f.Target).NodeReadiness is { } requirement ? Judge(f.Cluster, f.GlobalNodes, f.NodeKernels, requirement) : [];

    /// <summary>Both checks on every node of <paramref name="nodes"/> (or the measured ones, when node access was given).</summary>
    public static IEnumerable<CheckResult> Judge(string cluster, IReadOnlyList<string> nodes, IReadOnlyList<NodeKernel>? measured, NodeReadinessRequirement requirement)
    {
        var kernel = $"kernel {requirement.MinimumKernel} or later";
        var cgroup = $"{requirement.CgroupFileSystem} (cgroup v2)";
        var why = $"Kubernetes 1.{requirement.KubernetesMinor} needs it on every node that will run it";
        if (measured is null)
        {
            foreach (var node in nodes.Count > 0 ? nodes : [cluster])
            {
                var target = nodes.Count > 0 ? $"{cluster}/{node}" : cluster;
                string ByHand(string command, string expect) =>
                    $"No node access was given, so {node} was not checked. Run on it (SSH or an approved node shell): {command} (expect {expect}); or give -Local, or -ComputerName/-KeyFilePath/-SshCredential.";
                yield return Create(NodeKernelVersion, target, CheckState.NotChecked, kernel, "not measured", ByHand(NodeReadinessRequirement.KernelCommand, kernel), requirement.Citation);
                yield return Create(NodeCgroupV2, target, CheckState.NotChecked, cgroup, "not measured", ByHand(NodeReadinessRequirement.CgroupCommand, requirement.CgroupFileSystem), requirement.Citation);
            }

            yield break;
        }

        foreach (var node in measured)
        {
            var target = $"{cluster}/{node.Node}";
            var unread = $"could not be read on {node.Node}{(node.Error is null ? "" : $": {node.Error}")}. Run it by hand";
            if (NodeReadinessProbe.KernelVersion(node.Kernel) is not { } version)
            {
                yield return Create(NodeKernelVersion, target, CheckState.NotChecked, kernel, node.Kernel ?? "not measured",
                    $"The kernel version ({NodeReadinessRequirement.KernelCommand}) {unread}: {NodeReadinessRequirement.KernelCommand}.", requirement.Citation);
            }
            else
            {
                var ok = version >= requirement.MinimumKernel;
                yield return Create(NodeKernelVersion, target, ok ? CheckState.Passed : CheckState.Failed, kernel, node.Kernel,
                    ok ? $"{node.Node} runs kernel {node.Kernel}." : $"{node.Node} runs kernel {node.Kernel}, older than {requirement.MinimumKernel}: {why}. Upgrade the node's kernel (within the supported OS and kernel matrix) before acknowledging the gate.",
                    requirement.Citation);
            }

            if (node.CgroupFileSystem is not { } fs)
            {
                yield return Create(NodeCgroupV2, target, CheckState.NotChecked, cgroup, "not measured",
                    $"The cgroup file system ({NodeReadinessRequirement.CgroupCommand}) {unread}: {NodeReadinessRequirement.CgroupCommand}.", requirement.Citation);
                continue;
            }

            var v2 = string.Equals(fs, requirement.CgroupFileSystem, StringComparison.Ordinal);
            yield return Create(NodeCgroupV2, target, v2 ? CheckState.Passed : CheckState.Failed, cgroup, fs,
                v2 ? $"{node.Node} uses cgroup v2 ({fs})." : $"{node.Node} mounts {fs} at /sys/fs/cgroup/, not {requirement.CgroupFileSystem}: it does not use cgroup v2, which {why}. Switch the node to cgroup v2 before acknowledging the gate.",
                requirement.Citation);
        }
    }
}
