namespace GlobalUpgrade.Simulator.Store;

/// <summary>Every resource the simulator serves. Groups and versions follow the platform's CRDs (acp-docs docs/shared/crds) and docs/platform-versions.md.</summary>
public static class ResourceTypes
{
    public static readonly ResourceType Namespaces = new("", "v1", "namespaces", "Namespace", false, "namespace", ["ns"]);
    public static readonly ResourceType Pods = new("", "v1", "pods", "Pod", true, "pod", ["po"]);
    public static readonly ResourceType Services = new("", "v1", "services", "Service", true, "service", ["svc"]);
    public static readonly ResourceType Secrets = new("", "v1", "secrets", "Secret", true, "secret", [], HasStatus: false);
    public static readonly ResourceType ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true, "configmap", ["cm"], HasStatus: false);
    public static readonly ResourceType Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true, "lease", [], HasStatus: false);
    public static readonly ResourceType Jobs = new("batch", "v1", "jobs", "Job", true, "job", []);
    public static readonly ResourceType Deployments = new("apps", "v1", "deployments", "Deployment", true, "deployment", ["deploy"]);
    public static readonly ResourceType Machines = new("platform.tkestack.io", "v1", "machines", "Machine", false, "machine", []);
    public static readonly ResourceType Clusters = new("platform.tkestack.io", "v1", "clusters", "Cluster", false, "cluster", []);
    public static readonly ResourceType ModuleInfos = new("cluster.alauda.io", "v1alpha1", "moduleinfoes", "ModuleInfo", false, "moduleinfo", ["minfo"]);
    public static readonly ResourceType ModulePlugins = new("cluster.alauda.io", "v1alpha1", "moduleplugins", "ModulePlugin", false, "moduleplugin", ["mpl"]);
    public static readonly ResourceType ModuleConfigs = new("cluster.alauda.io", "v1alpha1", "moduleconfigs", "ModuleConfig", false, "moduleconfig", ["mcfg"]);
    public static readonly ResourceType ClusterModules = new("cluster.alauda.io", "v1alpha1", "clustermodules", "ClusterModule", false, "clustermodule", ["clsm"], ExtraVersions: ["v1alpha2"]);

    // crds/product-base.yaml: v1alpha1 is the storage version, v1alpha2 is served too.
    public static readonly ResourceType ProductBases = new("product.alauda.io", "v1alpha1", "productbases", "ProductBase", false, "productbase", ["prdb"], ExtraVersions: ["v1alpha2"]);

    // No published schema; kind and short name cvsh [doc release-4.3 upgrade/upgrade_global_cluster.mdx]; group/version [assumed].
    public static readonly ResourceType ClusterVersionShadows = new("config.alauda.io", "v1", "clusterversionshadows", "ClusterVersionShadow", true, "clusterversionshadow", ["cvsh"]);

    // [doc: release-4.1 docs/en/configure/backup/backups/etcd.mdx] the etcd backup tasks (Cluster Enhancer plugin).
    public static readonly ResourceType EtcdBackupConfigurations = new("enhancement.cluster.alauda.io", "v1", "etcdbackupconfigurations", "EtcdBackupConfiguration", false, "etcdbackupconfiguration", []);

    // [schema release-4.3 docs/shared/crds/app.alauda.io_artifactversions.yaml] what violet push creates next to the images
    // [doc release-4.3 extend/upload_package.mdx]; namespaced, in cpaas-system [doc release-4.1 UGC "(Conditional) Remove TopoLVM"].
    public static readonly ResourceType ArtifactVersions = new("app.alauda.io", "v1alpha1", "artifactversions", "ArtifactVersion", true, "artifactversion", []);

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Namespaces, Pods, Services, Secrets, ConfigMaps, Leases, Jobs, Deployments, Machines, Clusters,
        ModuleInfos, ModulePlugins, ModuleConfigs, ClusterModules, ProductBases, ClusterVersionShadows, EtcdBackupConfigurations,
        ArtifactVersions,
    ];

    private static readonly Dictionary<string, ResourceType> ByResourceName = All.ToDictionary(t => t.Resource);

    public static ResourceType ByResource(string resource) =>
        ByResourceName.TryGetValue(resource, out var t) ? t : throw new ArgumentException($"unknown resource {resource}", nameof(resource));

    /// <summary>Finds the type served at <c>/apis/{group}/{version}/{resource}</c>.</summary>
    public static ResourceType? Find(string group, string version, string resource) =>
        ByResourceName.TryGetValue(resource, out var t) && t.Group == group && t.ServedVersions.Contains(version) ? t : null;

    /// <summary>Finds a type by the apiVersion and kind written in an object.</summary>
    public static ResourceType? FindByKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        return All.FirstOrDefault(t => t.Kind == kind && t.Group == group && t.ServedVersions.Contains(version));
    }
}
