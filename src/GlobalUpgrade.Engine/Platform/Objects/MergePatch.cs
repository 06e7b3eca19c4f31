using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>Merge patches of a single field, for fields whose path the component profile names (ClusterModule spec.version, ClusterVersionShadow spec.desiredUpdate.version).</summary>
public static class MergePatch
{
    /// <summary>The merge patch that writes <paramref name="value"/> at a dotted path.</summary>
    public static JsonObject At(string dottedPath, string value) => JsonPath.Patch(dottedPath, JsonValue.Create(value));
}
