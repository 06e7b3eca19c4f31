using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// A ModuleInfo: one plugin installed on one cluster [schema crds/cluster.alauda.io_moduleinfoes.yaml]. Found by its
/// labels, never by name (the platform renames it to &lt;cluster&gt;-&lt;hash&gt;).
/// </summary>
public sealed record ModuleInfo
{
    public required ObjectMeta Meta { get; init; }

    public string Name => Meta.Name;

    /// <summary>cpaas.io/module-name, the object's name when unlabelled.</summary>
    public string Module => Meta.Label(AcpLabels.ModuleName) ?? Meta.Name;

    /// <summary>cpaas.io/cluster-name: the cluster it is installed for.</summary>
    public string? ClusterName => Meta.Label(AcpLabels.ClusterName);

    /// <summary>spec.version: the version asked for.</summary>
    public string? SpecVersion { get; init; }

    /// <summary>status.version: the version running; null until the platform reports it.</summary>
    public string? StatusVersion { get; init; }

    /// <summary>The plugin's version, the one rule for it: what runs (status.version), else what was asked (spec.version).</summary>
    public string? Version => StatusVersion ?? SpecVersion;

    public string? Phase { get; init; }

    /// <summary>spec.config: the install form's values.</summary>
    public JsonNode? Config { get; init; }

    /// <summary>status.availableVersions[].version.</summary>
    public IReadOnlyList<string> AvailableVersions { get; init; } = [];

    /// <summary>The cpaas.io/display-name annotation.</summary>
    public string? DisplayName => Meta.Annotation(AcpLabels.DisplayName);

    /// <summary>Running and not being deleted.</summary>
    public bool IsRunning => Phase == "Running" && !Meta.IsDeleting;

    /// <summary>"module [object name]" (the name alone when unlabelled).</summary>
    public string Describe() => Meta.Label(AcpLabels.ModuleName) is { } module ? $"{module} [{Name}]" : Name;

    /// <summary>"ModuleInfo x: Running v4.1.0" as the install waits report it.</summary>
    public string DescribeState() => $"ModuleInfo {Name}: {Phase ?? "no phase yet"} {StatusVersion}";

    /// <summary>"ModuleInfo x: Running, deleting, finalizers [...]" as the removal waits report it.</summary>
    public string DescribeRemoval() => $"ModuleInfo {Name}: {Phase ?? "no phase"}{(Meta.IsDeleting ? ", deleting" : "")}, finalizers [{string.Join(", ", Meta.Finalizers)}]";

    public static ModuleInfo From(JsonObject obj) => new()
    {
        Meta = ObjectMeta.Of(obj),
        SpecVersion = JsonPath.String(obj, "spec.version"),
        StatusVersion = JsonPath.String(obj, "status.version"),
        Phase = JsonPath.String(obj, "status.phase"),
        Config = JsonPath.Node(obj, "spec.config"),
        AvailableVersions = JsonPath.Objects(obj, "status.availableVersions").Select(v => JsonPath.String(v, "version")).OfType<string>().ToList(),
    };

    /// <summary>A new plugin ModuleInfo, labelled so the platform (and <see cref="AcpLabels.PluginSelector"/>) finds it.</summary>
    public static JsonObject New(string generateName, string moduleName, string clusterName, string version, JsonNode config) => new()
    {
        ["apiVersion"] = AcpResources.ModuleInfos.ApiVersion,
        ["kind"] = "ModuleInfo",
        ["metadata"] = new JsonObject
        {
            ["generateName"] = generateName,
            ["labels"] = new JsonObject
            {
                [AcpLabels.ClusterName] = clusterName,
                [AcpLabels.ModuleName] = moduleName,
                [AcpLabels.ModuleType] = AcpLabels.ModuleTypePlugin,
            },
        },
        ["spec"] = SpecOf(version, config),
    };

    /// <summary>The merge patch that asks for another version and form values.</summary>
    public static JsonObject SpecPatch(string version, JsonNode config) => new() { ["spec"] = SpecOf(version, config) };

    private static JsonObject SpecOf(string version, JsonNode config) => new() { ["version"] = version, ["config"] = config.DeepClone() };
}
