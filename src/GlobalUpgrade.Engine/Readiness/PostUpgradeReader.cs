using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;
using k8s;

namespace GlobalUpgrade.Readiness;

/// <summary>Reads, without changing anything, what the post-upgrade conditions need from one upgraded global cluster.</summary>
public static class PostUpgradeReader
{
    public static async Task<PostUpgradeFacts> ReadAsync(ClusterConnection cluster, PlatformVersion target, IReadOnlyList<string> fromLines, ReadinessAssumptions assumptions, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"[{cluster.Name}] reading {AcpResources.ModuleInfos} and {AcpResources.ModuleConfigs} for the post-upgrade checks.");
        var infos = await cluster.ListAsync(AcpResources.ModuleInfos, null, null, cancellationToken).ConfigureAwait(false);
        var configs = await cluster.ListAsync(AcpResources.ModuleConfigs, null, null, cancellationToken).ConfigureAwait(false);
        var installed = infos.Select(ReadinessReader.Installed).ToList();
        IReadOnlyList<PodHealth>? gitOpsPods = null;
        if (PostUpgradeRules.GitOpsPlugins(installed, assumptions).Any())
        {
            var ns = assumptions.GitOpsNamespace;
            OperationLog.Current.Verbose($"[{cluster.Name}] listing the pods in {ns} (the GitOps plugin's namespace, [assumed]).");
            var pods = await cluster.CallAsync($"listing the pods in {ns}", (c, ct) => ResourceWatcher.ListAllAsync(c, KubeKind.Pods, new ListArgs(ns, null, null), ct), cancellationToken).ConfigureAwait(false);
            gitOpsPods = ObjectList.ItemsOf(pods.Items).Select(Health).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        }

        var kubernetes = PlatformLine.For(target).GlobalKubernetesMinor is null
            ? null
            : await cluster.CallAsync("reading /version", (c, ct) => c.Version.GetCodeAsync(ct), cancellationToken).ConfigureAwait(false);
        return new PostUpgradeFacts
        {
            Cluster = cluster.Name,
            Target = target,
            FromLines = fromLines,
            Assumptions = assumptions,
            InstalledPlugins = installed,
            PublishedPlugins = ReadinessReader.Published(configs),
            GitOpsPods = gitOpsPods,
            KubernetesVersion = kubernetes is null ? null : kubernetes.GitVersion ?? $"v{kubernetes.Major}.{kubernetes.Minor}",
        };
    }

    /// <summary>A pod's phase, whether every container is ready, and the first reason a container gives for not running.</summary>
    public static PodHealth Health(JsonObject obj)
    {
        var pod = Pod.From(obj);
        var ready = pod.Containers.Count > 0 && pod.Containers.All(c => c.Ready);
        var reason = pod.Containers.Select(c => c.WaitingReason ?? c.TerminatedReason).FirstOrDefault(r => r is not null) ?? pod.Reason;
        return new PodHealth(pod.Name, pod.Phase, ready, reason);
    }
}
