using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>The cluster-plugin objects (ModulePlugin, ModuleConfig, ModuleInfo) as the platform writes them.</summary>
public static class Plugins
{
    public const string ModuleNameLabel = "cpaas.io/module-name";
    public const string ClusterNameLabel = "cpaas.io/cluster-name";
    public const string ModuleTypeLabel = "cpaas.io/module-type";

    public static JsonObject ModulePlugin(string moduleName, string displayName, string version) => new()
    {
        ["apiVersion"] = ResourceTypes.ModulePlugins.ApiVersion,
        ["kind"] = "ModulePlugin",
        ["metadata"] = new JsonObject { ["name"] = moduleName, ["labels"] = new JsonObject { [ModuleNameLabel] = moduleName } },
        ["spec"] = new JsonObject
        {
            ["name"] = moduleName,
            ["description"] = new JsonObject { ["en"] = displayName, ["zh"] = displayName },
            ["deleteable"] = true,
        },
        ["status"] = new JsonObject { ["latestVersion"] = version },
    };

    /// <summary>
    /// The ModuleConfig of one plugin version. The 4.x etcd synchronizer's declares its install form as its line has it
    /// (<see cref="PlatformLine"/>): defaults in <c>spec.config</c> and the fields in <c>spec.deployDescriptors</c>.
    /// </summary>
    public static JsonObject ModuleConfig(string moduleName, string version)
    {
        var line = PlatformLine.For(version);
        var spec = new JsonObject { ["name"] = moduleName, ["version"] = version, ["config"] = new JsonObject() };
        if (moduleName == EtcdSyncNames.ModuleName && line.HasEtcdSyncPlugin)
        {
            spec["config"] = line.DefaultConfig();
            spec["deployDescriptors"] = line.Descriptors();
        }

        return ModuleConfigObject(moduleName, version, spec);
    }

    private static JsonObject ModuleConfigObject(string moduleName, string version, JsonObject spec) => new()
    {
        ["apiVersion"] = ResourceTypes.ModuleConfigs.ApiVersion,
        ["kind"] = "ModuleConfig",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"{moduleName}-{version}",
            ["labels"] = new JsonObject { [ModuleNameLabel] = moduleName, ["cpaas.io/module-version"] = version },
        },
        ["spec"] = spec,
        ["status"] = new JsonObject { ["readyForDeploy"] = true },
    };

    /// <summary>
    /// The ArtifactVersion violet creates for a pushed plugin version [schema release-4.3
    /// docs/shared/crds/app.alauda.io_artifactversions.yaml: spec.present, spec.tag; status.name, status.version,
    /// status.phase]. Label <c>cpaas.io/artifact-version</c> = the artifact [doc release-4.1 UGC "(Conditional) Remove
    /// TopoLVM"]; the name <c>&lt;artifact&gt;.v&lt;version&gt;</c> as in [doc release-4.3 extend/upload_package.mdx]; that
    /// a cluster plugin's artifact is named by its module name is [assumed].
    /// </summary>
    public static JsonObject ArtifactVersion(string moduleName, string version) => new()
    {
        ["apiVersion"] = ResourceTypes.ArtifactVersions.ApiVersion,
        ["kind"] = "ArtifactVersion",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"{moduleName}.v{version.TrimStart('v')}",
            ["namespace"] = EtcdSyncNames.Namespace,
            ["labels"] = new JsonObject { [ArtifactVersionLabel] = moduleName },
        },
        ["spec"] = new JsonObject { ["present"] = true, ["tag"] = $"v{version.TrimStart('v')}" },
        ["status"] = new JsonObject { ["name"] = moduleName, ["version"] = version, ["phase"] = "Present" },
    };

    public const string ArtifactVersionLabel = "cpaas.io/artifact-version";

    /// <summary>A ModuleInfo named the way the platform renames it: <c>&lt;cluster&gt;-&lt;hash&gt;</c>.</summary>
    public static JsonObject ModuleInfo(string clusterName, string moduleName, string version) => new()
    {
        ["apiVersion"] = ResourceTypes.ModuleInfos.ApiVersion,
        ["kind"] = "ModuleInfo",
        ["metadata"] = new JsonObject
        {
            ["name"] = PlatformName(clusterName, moduleName),
            ["labels"] = new JsonObject { [ClusterNameLabel] = clusterName, [ModuleNameLabel] = moduleName, [ModuleTypeLabel] = "plugin" },
        },
        ["spec"] = new JsonObject { ["version"] = version },
    };

    public static string PlatformName(string clusterName, string moduleName) =>
        $"{clusterName}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{clusterName}/{moduleName}")))[..32]}";
}
