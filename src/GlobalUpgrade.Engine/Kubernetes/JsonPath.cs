using System.Text.Json.Nodes;

namespace GlobalUpgrade.Kubernetes;

/// <summary>
/// Reads fields of API objects held as JSON, tolerating absent parents (the API omits empty fields). The low-level
/// helper of the typed views in Platform/Objects; the engine reads objects through those views.
/// </summary>
public static class JsonPath
{
    public static JsonNode? Node(JsonNode? node, string dottedPath)
    {
        foreach (var part in dottedPath.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static string? String(JsonNode? node, string dottedPath) => Node(node, dottedPath) switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    public static long? Int64(JsonNode? node, string dottedPath) => Node(node, dottedPath) switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, out var p) => p,
        _ => null,
    };

    public static bool? Bool(JsonNode? node, string dottedPath) => Node(node, dottedPath) switch
    {
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) && bool.TryParse(s, out var p) => p,
        _ => null,
    };

    public static IEnumerable<JsonObject> Objects(JsonNode? node, string dottedPath) =>
        Node(node, dottedPath) is JsonArray array ? array.OfType<JsonObject>() : [];

    public static IReadOnlyDictionary<string, string> StringMap(JsonNode? node, string dottedPath) =>
        Node(node, dottedPath) is JsonObject obj
            ? obj.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public static string Name(JsonNode? node) => String(node, "metadata.name") ?? "";

    /// <summary>A merge patch that sets one dotted path, creating the objects on the way.</summary>
    public static JsonObject Patch(string dottedPath, JsonNode? value)
    {
        var root = new JsonObject();
        var parts = dottedPath.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            var child = new JsonObject();
            node[part] = child;
            node = child;
        }

        node[parts[^1]] = value;
        return root;
    }
}
