namespace GlobalUpgrade.Platform;

/// <summary>
/// The ACP API surface the module reads and writes. Group/version/plural come from the real CRDs and OpenAPI
/// documents [schema], except ClusterVersionShadow, which is documented but has no published schema [doc].
/// </summary>
public static class AcpResources
{
    public static readonly AcpResource Machines = new("platform.tkestack.io", "v1", "machines", Namespaced: false);
    public static readonly AcpResource Clusters = new("platform.tkestack.io", "v1", "clusters", Namespaced: false);
    public static readonly AcpResource ProductBases = new("product.alauda.io", "v1alpha2", "productbases", Namespaced: false);
    public static readonly AcpResource ModuleInfos = new("cluster.alauda.io", "v1alpha1", "moduleinfoes", Namespaced: false);
    public static readonly AcpResource ModulePlugins = new("cluster.alauda.io", "v1alpha1", "moduleplugins", Namespaced: false);
    public static readonly AcpResource ModuleConfigs = new("cluster.alauda.io", "v1alpha1", "moduleconfigs", Namespaced: false);
    public static readonly AcpResource ClusterModules = new("cluster.alauda.io", "v1alpha1", "clustermodules", Namespaced: false);
    /// <summary>[schema release-4.3 docs/shared/crds/app.alauda.io_artifactversions.yaml] what violet push creates.</summary>
    public static readonly AcpResource ArtifactVersions = new("app.alauda.io", "v1alpha1", "artifactversions", Namespaced: true);
    /// <summary>[assumed] Group/version/plural of ClusterVersionShadow (only the kind and short name cvsh are documented):
    /// the fallback when API discovery finds nothing; use <see cref="ClusterVersionShadowDiscovery.ResolveAsync"/>.</summary>
    public static readonly AcpResource ClusterVersionShadows = new("config.alauda.io", "v1", "clusterversionshadows", Namespaced: true);

    /// <summary>The ProductBase that carries the running platform version.</summary>
    public const string ProductBaseName = "base";

    /// <summary>The tkestack Cluster object that marks a global cluster.</summary>
    public const string GlobalClusterName = "global";
}
