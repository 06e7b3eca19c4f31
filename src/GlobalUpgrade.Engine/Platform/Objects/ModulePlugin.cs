using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>A ModulePlugin: a plugin the platform knows, with the names the console shows for it [schema crds/cluster.alauda.io_moduleplugins.yaml].</summary>
public sealed record ModulePlugin
{
    public required ObjectMeta Meta { get; init; }

    /// <summary>cpaas.io/module-name, else spec.name, else the object's name.</summary>
    public required string Module { get; init; }

    /// <summary>Every name a person may know it by: spec.name, spec.displayName, spec.description.en/zh, the object's name, display-name annotations.</summary>
    public IReadOnlyList<string> DisplayTexts { get; init; } = [];

    public static ModulePlugin From(JsonObject obj)
    {
        var meta = ObjectMeta.Of(obj);
        return new ModulePlugin
        {
            Meta = meta,
            Module = meta.Label(AcpLabels.ModuleName) ?? JsonPath.String(obj, "spec.name") ?? meta.Name,
            DisplayTexts = Texts(obj, meta).ToList(),
        };
    }

    private static IEnumerable<string> Texts(JsonObject obj, ObjectMeta meta)
    {
        foreach (var path in new[] { "spec.name", "spec.displayName", "spec.description.en", "spec.description.zh", "metadata.name" })
        {
            if (JsonPath.String(obj, path) is { Length: > 0 } text)
            {
                yield return text;
            }
        }

        foreach (var (key, value) in meta.Annotations)
        {
            if (key.Contains("display-name", StringComparison.OrdinalIgnoreCase) || key.Contains("displayName", StringComparison.OrdinalIgnoreCase))
            {
                yield return value;
            }
        }
    }
}
