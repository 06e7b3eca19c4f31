namespace GlobalUpgrade.Platform.Objects;

/// <summary>The label and annotation keys ACP puts on its objects, written once.</summary>
public static class AcpLabels
{
    /// <summary>[doc release-4.x install/global_dr.mdx] The plugin a ModuleInfo, ModuleConfig or ModulePlugin belongs to (the platform renames a ModuleInfo; find it by this label, never by name).</summary>
    public const string ModuleName = "cpaas.io/module-name";

    /// <summary>[doc] The cluster a plugin's ModuleInfo is installed for.</summary>
    public const string ClusterName = "cpaas.io/cluster-name";

    /// <summary>[doc] The kind of module ("plugin" for a cluster plugin).</summary>
    public const string ModuleType = "cpaas.io/module-type";

    /// <summary>The <see cref="ModuleType"/> of a cluster plugin.</summary>
    public const string ModuleTypePlugin = "plugin";

    /// <summary>[schema crds/cluster.alauda.io_moduleconfigs.yaml] A ModuleConfig's version when spec.version is absent.</summary>
    public const string ModuleVersion = "cpaas.io/module-version";

    /// <summary>[schema crds/cluster.alauda.io_moduleinfoes.yaml, printer column Display_Name] annotation.</summary>
    public const string DisplayName = "cpaas.io/display-name";

    /// <summary>The label selector of a plugin's ModuleInfo on one cluster.</summary>
    public static string PluginSelector(string moduleName, string clusterName) =>
        $"{ModuleName}={moduleName},{ClusterName}={clusterName},{ModuleType}={ModuleTypePlugin}";
}
