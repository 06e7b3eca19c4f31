using System.Net;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;
using k8s.Autorest;

namespace GlobalUpgrade.Readiness;

/// <summary>Reads, without changing anything, what the readiness conditions need from one connected global cluster.</summary>
public static class ReadinessReader
{
    public static async Task<ReadinessFacts> ReadAsync(ClusterConnection cluster, PlatformVersion target, ReadinessAssumptions assumptions, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"[{cluster.Name}] reading ProductBase, {AcpResources.Clusters}, {AcpResources.Machines}, {AcpResources.ModuleInfos}, {AcpResources.ModuleConfigs} and {assumptions.EtcdBackupResource}.");
        var productBase = await ProductBase.ReadAsync(cluster, cancellationToken).ConfigureAwait(false);
        var clusters = await cluster.ListAsync(AcpResources.Clusters, null, null, cancellationToken).ConfigureAwait(false);
        var machines = await cluster.ListAsync(AcpResources.Machines, null, null, cancellationToken).ConfigureAwait(false);
        var infos = await cluster.ListAsync(AcpResources.ModuleInfos, null, null, cancellationToken).ConfigureAwait(false);
        var configs = await cluster.ListAsync(AcpResources.ModuleConfigs, null, null, cancellationToken).ConfigureAwait(false);
        var backups = await ListIfServedAsync(cluster, assumptions.EtcdBackupResource, cancellationToken).ConfigureAwait(false);
        JsonObject? shadow = null;
        if (PlatformLine.For(target).HasClusterVersionOperator)
        {
            shadow = await ClusterVersionShadowReader.ReadAsync(cluster, cancellationToken).ConfigureAwait(false);
        }

        var gates = PlatformLine.For(target).HasAdminAckGates
            ? await AdminGateConfigMaps.ReadAsync(cluster, assumptions, cancellationToken).ConfigureAwait(false)
            : null;
        var globalMachines = machines.Select(Machine.From).Where(m => m.ClusterName == AcpResources.GlobalClusterName).ToList();
        return new ReadinessFacts
        {
            Cluster = cluster.Name,
            Target = target,
            RunningVersion = productBase?.Version,
            Assumptions = assumptions,
            ManagedClusters = clusters.Select(Cluster.From).Select(c => new ManagedCluster(c.Name, c.KubernetesVersion))
                .OrderBy(c => c.Name == AcpResources.GlobalClusterName ? 0 : 1).ThenBy(c => c.Name, StringComparer.Ordinal).ToList(),
            ControlPlaneNodes = globalMachines.Where(m => m.IsControlPlaneOf(AcpResources.GlobalClusterName))
                .Select(m => m.IP ?? m.Name).Order(StringComparer.Ordinal).ToList(),
            GlobalNodes = globalMachines.Select(m => m.IP ?? m.Name).Order(StringComparer.Ordinal).ToList(),
            AdminGates = gates,
            InstalledPlugins = infos.Select(Installed).ToList(),
            PublishedPlugins = Published(configs),
            EtcdBackupTasks = backups?.Select(ObjectMeta.NameOf).ToList(),
            ClusterVersionShadow = shadow,
        };
    }

    /// <summary>A ModuleInfo as an installed plugin, found by its labels (the platform renames the object).</summary>
    public static InstalledPlugin Installed(JsonObject obj)
    {
        var info = ModuleInfo.From(obj);
        return new(info.ClusterName ?? "?", info.Module, info.Version, info.Name) { DisplayName = info.DisplayName, AvailableVersions = info.AvailableVersions };
    }

    /// <summary>The plugin versions published in the cluster (one ModuleConfig each).</summary>
    public static IReadOnlyList<PublishedPlugin> Published(IEnumerable<JsonObject> configs) =>
        configs.Select(ModuleConfig.From).Select(c => new PublishedPlugin(c.Module, c.SpecVersion ?? ""))
            .Where(p => p.Version.Length > 0).ToList();

    /// <summary>The objects of a resource, or null when the server does not serve it (404: the CRD is absent).</summary>
    internal static async Task<IReadOnlyList<JsonObject>?> ListIfServedAsync(ClusterConnection cluster, AcpResource resource, CancellationToken cancellationToken)
    {
        try
        {
            return await cluster.ListAsync(resource, null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (GlobalUpgradeException ex) when (ex.InnerException is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound })
        {
            OperationLog.Current.Verbose($"[{cluster.Name}] {resource} is not served.");
            return null;
        }
    }
}
