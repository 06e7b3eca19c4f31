using System.Text.Json.Nodes;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>RFC 7386 merge patch and RFC 6902 JSON patch over <see cref="JsonNode"/>s.</summary>
public static class Patches
{
    /// <summary>Applies a merge patch (lists are replaced; strategic merge patches are Api/StrategicMergePatch).</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in p)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            if (value is JsonObject && result[key] is JsonObject existing)
            {
                Merge(existing, value);
            }
            else
            {
                result[key] = Merge(null, value);
            }
        }

        return result;
    }

    public static JsonNode Json(JsonNode doc, JsonArray operations)
    {
        foreach (var op in operations)
        {
            if (op is not JsonObject o)
            {
                throw ApiException.BadRequest("json patch operation must be an object");
            }

            var kind = o.Str("op");
            var path = o.Str("path") ?? throw ApiException.BadRequest("json patch operation needs a path");
            switch (kind)
            {
                case "add": doc = Add(doc, path, o["value"]?.DeepClone()); break;
                case "remove": doc = Remove(doc, path, out _); break;
                case "replace":
                    doc = Remove(doc, path, out _);
                    doc = Add(doc, path, o["value"]?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), o["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                case "move":
                    {
                        var from = o.Str("from") ?? throw ApiException.BadRequest("move needs from");
                        doc = Remove(doc, from, out var moved);
                        doc = Add(doc, path, moved);
                        break;
                    }

                case "copy":
                    {
                        var from = o.Str("from") ?? throw ApiException.BadRequest("copy needs from");
                        doc = Add(doc, path, Get(doc, from)?.DeepClone());
                        break;
                    }

                default: throw ApiException.BadRequest($"unexpected json patch operation {kind}");
            }
        }

        return doc;
    }

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static JsonNode? Get(JsonNode? doc, string pointer)
    {
        foreach (var t in Tokens(pointer))
        {
            doc = doc switch
            {
                JsonObject o => o[t],
                JsonArray a when int.TryParse(t, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw ApiException.BadRequest($"json patch path {pointer} does not exist"),
            };
        }

        return doc;
    }

    private static JsonNode Add(JsonNode doc, string pointer, JsonNode? value)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            return value ?? throw ApiException.BadRequest("cannot replace the document with null");
        }

        var parent = Get(doc, "/" + string.Join('/', tokens[..^1].Select(Escape)));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw ApiException.BadRequest($"json patch path {pointer} does not exist");
        }

        return doc;
    }

    private static JsonNode Remove(JsonNode doc, string pointer, out JsonNode? removed)
    {
        var tokens = Tokens(pointer);
        var parent = Get(doc, "/" + string.Join('/', tokens[..^1].Select(Escape)));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                removed = o[last];
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default:
                throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: unable to remove nonexistent key: {pointer}");
        }

        return doc;
    }

    private static string Escape(string t) => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
