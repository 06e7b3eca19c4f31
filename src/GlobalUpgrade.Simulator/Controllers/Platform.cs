using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>Facts about the platform as stored objects: the running version lives in ProductBase <c>base</c>.</summary>
public static class Platform
{
    public const string ProductBaseName = "base";

    public const string EtcdSyncDisplayName = "Alauda Container Platform etcd Synchronizer";

    /// <summary>
    /// Sets <c>status.version</c> of ProductBase <c>base</c> (the platform is at a version: before 4.3 what
    /// <c>upgrade.sh --skip-sync-image</c> ends with, from 4.3 what the operator ends with), and
    /// does what reaching that version brings: before 4.3 the version's etcd synchronizer plugin is published (the
    /// simulator treats it as part of the core package; from 4.3 it is not, see <see cref="PushPlugin"/>), and on 4.3+ the Cluster Version Operator with ClusterVersionShadow
    /// <c>cpaas-system/global</c> is there (release-4.3 upgrade_global_cluster.mdx: <c>--skip-sync-image</c> deploys it).
    /// </summary>
    public static JsonObject SetVersion(ObjectStore store, string version)
    {
        var previous = Version(store);
        var result = store.Mutate(ResourceTypes.ProductBases, null, ProductBaseName, pb =>
        {
            pb.Set("status.version", version);
            pb.Set("status.phase", "Running");
            return pb;
        });
        var line = PlatformLine.For(version);
        if (line.HasEtcdSyncPlugin && line.PublishesAlignedPluginsWithCore)
        {
            PublishEtcdSync(store, version);
        }

        var shadows = store.ServedAs(ResourceTypes.ClusterVersionShadows);
        if (line.HasClusterVersionOperator && store.Get(shadows, "cpaas-system", ClusterVersionShadowController.Name) is null)
        {
            var shadow = ClusterVersionShadowController.Seed(previous ?? version, [version]);
            shadow["apiVersion"] = shadows.ApiVersion;
            store.Upsert(shadows, shadow);
        }

        return result;
    }

    /// <summary>
    /// What <c>upgrade.sh --skip-sync-image</c> of a package for <paramref name="version"/> ends with. Before 4.3 the
    /// platform is at the version (<see cref="SetVersion"/>); from 4.3 the script deploys the Cluster Version Operator,
    /// which moves the platform only once it is asked for the version and has finished [doc: release-4.3
    /// upgrade_global_cluster.mdx "Deploy the cluster version operator"]. Returns ProductBase <c>base</c>.
    /// </summary>
    public static JsonObject Trigger(ObjectStore store, string version)
    {
        if (!PlatformLine.For(version).HasClusterVersionOperator)
        {
            return SetVersion(store, version);
        }

        ClusterVersionShadowController.Deploy(store, Version(store) ?? version, version);
        return store.Get(ResourceTypes.ProductBases, null, ProductBaseName)!;
    }

    /// <summary>The etcd synchronizer plugin of one version: its ModulePlugin (latest version) and its ModuleConfig.</summary>
    public static void PublishEtcdSync(ObjectStore store, string version)
    {
        var latest = store.Get(ResourceTypes.ModulePlugins, null, EtcdSyncNames.ModuleName).Str("status.latestVersion");
        if (latest is null || VersionText.Parse(latest) < VersionText.Parse(version))
        {
            store.Upsert(ResourceTypes.ModulePlugins, Plugins.ModulePlugin(EtcdSyncNames.ModuleName, EtcdSyncDisplayName, version));
        }

        store.Upsert(ResourceTypes.ModuleConfigs, Plugins.ModuleConfig(EtcdSyncNames.ModuleName, version));
    }

    /// <summary>
    /// What <c>violet push</c> of a cluster-plugin package does on the platform it is pointed at: its ArtifactVersion in
    /// cpaas-system [doc release-4.3 extend/upload_package.mdx "Create Artifact and ArtifactVersion resources"], and the
    /// plugin becomes installable there (ModulePlugin, ModuleConfig). Only on this cluster: a push to the standby is
    /// its own (violet --platform-address of the standby, --dest-repo its VIP), and cpaas-system is not synchronized.
    /// </summary>
    public static JsonObject PushPlugin(ObjectStore store, string moduleName, string version)
    {
        var artifact = store.Upsert(ResourceTypes.ArtifactVersions, Plugins.ArtifactVersion(moduleName, version));
        if (moduleName == EtcdSyncNames.ModuleName)
        {
            PublishEtcdSync(store, version);
        }
        else
        {
            store.Upsert(ResourceTypes.ModulePlugins, Plugins.ModulePlugin(moduleName, moduleName, version));
            store.Upsert(ResourceTypes.ModuleConfigs, Plugins.ModuleConfig(moduleName, version));
        }

        return artifact;
    }

    public static string? Version(ObjectStore store) => store.Get(ResourceTypes.ProductBases, null, ProductBaseName).Str("status.version");
}
