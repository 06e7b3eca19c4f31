using GlobalUpgrade.Consistency;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>The checks that a cluster is settled (Machines Running, plugins and components settled): before and after an upgrade.</summary>
internal static class Settled
{
    public static Task<CheckResult[]> ChecksAsync(ClusterConnection cluster, CancellationToken cancellationToken) => Task.WhenAll(
        ClusterStateChecks.MachinesRunningAsync(cluster, cancellationToken),
        ClusterStateChecks.PluginsSettledAsync(cluster, cancellationToken),
        ClusterStateChecks.ComponentsSettledAsync(cluster, cancellationToken));
}
