using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// A ModuleConfig: one published version of a plugin, with its install form [schema
/// crds/cluster.alauda.io_moduleconfigs.yaml]: spec.config holds the form's defaults (or a JSON schema of them under
/// "properties"), spec.deployDescriptors[] the fields, each a label (displayName) and where its value goes (path,
/// dotted = nested in spec.config).
/// </summary>
public sealed record ModuleConfig
{
    /// <summary>One field of the install form.</summary>
    public sealed record FormDescriptor(string? DisplayName, string? Path);

    public required ObjectMeta Meta { get; init; }

    public string Name => Meta.Name;

    /// <summary>cpaas.io/module-name, the object's name when unlabelled.</summary>
    public string Module => Meta.Label(AcpLabels.ModuleName) ?? Meta.Name;

    /// <summary>spec.version.</summary>
    public string? SpecVersion { get; init; }

    /// <summary>The version it publishes: spec.version, else the cpaas.io/module-version label.</summary>
    public string? Version => SpecVersion ?? Meta.Label(AcpLabels.ModuleVersion);

    /// <summary>spec.config: the form's defaults.</summary>
    public JsonObject? Defaults { get; init; }

    public IReadOnlyList<FormDescriptor> Descriptors { get; init; } = [];

    /// <summary>The default at a dotted path of spec.config, else the JSON schema of a top-level key.</summary>
    public JsonNode? DefaultAt(string path) => JsonPath.Node(Defaults, path) ?? (Defaults?["properties"] is JsonObject properties ? properties[path] : null);

    /// <summary>True where the default (or its JSON schema) at <paramref name="path"/> is a list.</summary>
    public bool HoldsListAt(string path) => DefaultAt(path) is var shape && (shape is JsonArray || JsonPath.String(shape, "type") == "array");

    /// <summary>The keys spec.config declares (its JSON schema's properties, else its own keys).</summary>
    public IReadOnlyList<string> DeclaredKeys => (Defaults?["properties"] as JsonObject ?? Defaults)?.Select(p => p.Key).ToList() ?? [];

    public static ModuleConfig From(JsonObject obj) => new()
    {
        Meta = ObjectMeta.Of(obj),
        SpecVersion = JsonPath.String(obj, "spec.version"),
        Defaults = JsonPath.Node(obj, "spec.config") as JsonObject,
        Descriptors = JsonPath.Objects(obj, "spec.deployDescriptors").Select(d => new FormDescriptor(JsonPath.String(d, "displayName"), JsonPath.String(d, "path"))).ToList(),
    };

    /// <summary>The label selector of a plugin's ModuleConfigs.</summary>
    public static string Selector(string moduleName) => $"{AcpLabels.ModuleName}={moduleName}";
}
