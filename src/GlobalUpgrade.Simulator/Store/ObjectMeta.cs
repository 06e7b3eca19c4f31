using System.Globalization;
using System.Text.Json.Nodes;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>Small accessors for the metadata of a JSON object, so callers do not repeat node plumbing.</summary>
public static class ObjectMeta
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject m)
        {
            return m;
        }

        m = new JsonObject();
        obj["metadata"] = m;
        return m;
    }

    public static string Name(this JsonObject obj) => obj.Str("metadata.name") ?? "";

    public static string? Namespace(this JsonObject obj) => obj.Str("metadata.namespace");

    public static long ResourceVersion(this JsonObject obj) =>
        long.TryParse(obj.Str("metadata.resourceVersion"), NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : 0;

    public static Dictionary<string, string> Labels(this JsonObject obj) =>
        obj["metadata"]?["labels"] is JsonObject l
            ? l.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString())
            : [];

    public static List<string> Finalizers(this JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray a ? a.Select(f => f?.ToString() ?? "").ToList() : [];

    public static bool IsDeleting(this JsonObject obj) => obj.Str("metadata.deletionTimestamp") is not null;

    /// <summary>Reads a dotted path (<c>status.phase</c>) as a string; null when absent or not a scalar.</summary>
    public static string? Str(this JsonNode? node, string path)
    {
        var n = node.At(path);
        return n is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString(JsonText.Options)) : null;
    }

    public static JsonNode? At(this JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node;
    }

    /// <summary>Sets a dotted path, creating the objects on the way.</summary>
    public static void Set(this JsonObject obj, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var cur = obj;
        foreach (var part in parts[..^1])
        {
            if (cur[part] is not JsonObject next)
            {
                next = new JsonObject();
                cur[part] = next;
            }

            cur = next;
        }

        cur[parts[^1]] = value;
    }

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
