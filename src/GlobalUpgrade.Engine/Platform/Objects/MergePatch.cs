using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>Merge patches of a single field, for fields whose path the component profile names (ClusterModule spec.version and spec.upgradeModulesInfos, ClusterVersionShadow spec.desiredUpdate.version) or the plugin's form holds (ModuleInfo spec.config).</summary>
public static class MergePatch
{
    /// <summary>The merge patch that writes <paramref name="value"/> at a dotted path.</summary>
    public static JsonObject At(string dottedPath, string value) => JsonPath.Patch(dottedPath, JsonValue.Create(value));

    /// <summary>The merge patch that writes <paramref name="value"/> (an array is written whole) at a dotted path.</summary>
    public static JsonObject At(string dottedPath, JsonNode value) => JsonPath.Patch(dottedPath, value);

    /// <summary>The merge patch that removes the field at a dotted path (a null, as RFC 7386 says).</summary>
    public static JsonObject Remove(string dottedPath) => JsonPath.Patch(dottedPath, null);

    /// <summary>One merge patch that writes what both do (objects merged key by key; on a clash the second wins).</summary>
    public static JsonObject Both(JsonObject first, JsonObject second)
    {
        var merged = (JsonObject)first.DeepClone();
        foreach (var (key, value) in second)
        {
            merged[key] = merged[key] is JsonObject left && value is JsonObject right ? Both(left, right) : value?.DeepClone();
        }

        return merged;
    }
}
