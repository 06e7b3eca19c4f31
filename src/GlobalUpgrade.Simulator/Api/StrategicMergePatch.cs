using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>
/// A strategic merge patch on a built-in kind, as the API server applies one: maps merge, null deletes a key, lists
/// with a merge key (<see cref="PatchStrategies"/>) merge element by element, other lists are replaced; the directives
/// <c>$patch</c> (replace/delete), <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/</c> and <c>$setElementOrder/</c>
/// are honoured. A patch the server could not apply (an unknown directive, a malformed one, an element without its
/// merge key) is answered 400; the simulator never stores a directive as if it were a field.
/// </summary>
internal static class StrategicMergePatch
{
    private const string Directive = "$patch";
    private const string RetainKeys = "$retainKeys";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
    private const string SetElementOrder = "$setElementOrder/";

    public static JsonObject Apply(JsonObject current, JsonObject patch, string kind) => MergeMap(current, patch, kind);

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, string? type)
    {
        if (patch.TryGetPropertyValue(Directive, out var directive))
        {
            switch (Text(directive))
            {
                case "delete":
                    return [];
                case "replace":
                    var replacement = (JsonObject)patch.DeepClone();
                    replacement.Remove(Directive);
                    return MergeMap([], replacement, type);
                default:
                    throw UnknownPatchType(directive, patch);
            }
        }

        ApplyRetainKeys(original, patch);
        var orders = new List<(string Field, JsonArray Order)>();
        foreach (var (key, value) in patch)
        {
            if (key == RetainKeys)
            {
                continue;
            }

            if (key.StartsWith(SetElementOrder, StringComparison.Ordinal))
            {
                orders.Add((key[SetElementOrder.Length..], value as JsonArray ?? throw ApiException.BadRequest("invalid patch format of setElementOrder list")));
                continue;
            }

            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
            {
                DeleteFromList(original[key[DeleteFromPrimitiveList.Length..]] as JsonArray, value);
                continue;
            }

            if (key.StartsWith('$'))
            {
                throw ApiException.BadRequest($"unknown strategic merge patch directive {key}");
            }

            if (value is null)
            {
                original.Remove(key);
                continue;
            }

            var field = PatchStrategies.Field(type, key);
            var existing = original[key];
            JsonNode merged = value switch
            {
                JsonObject map => MergeMap(existing as JsonObject ?? [], map, field?.Type),
                JsonArray list when field is { MergeList: true } => MergeList(existing as JsonArray, list, field),
                _ => value.DeepClone(),
            };
            Put(original, key, merged);
        }

        foreach (var (field, order) in orders)
        {
            ApplyOrder(original[field] as JsonArray, order, PatchStrategies.Field(type, field));
        }

        return original;
    }

    /// <summary>A list merged by key: <c>$patch: delete</c> elements remove theirs, <c>$patch: replace</c> drops the
    /// original list, other elements merge into the one with the same key or are appended. Scalar lists are a set.</summary>
    private static JsonArray MergeList(JsonArray? original, JsonArray patch, FieldStrategy field)
    {
        var items = original?.Select(n => n?.DeepClone()).ToList() ?? [];
        var elements = new List<JsonNode?>();
        foreach (var element in patch)
        {
            if (element is JsonObject o && o.TryGetPropertyValue(Directive, out var directive))
            {
                switch (Text(directive))
                {
                    case "replace":
                        items.Clear();
                        break;
                    case "delete" when field.MergeKey is not null:
                        var key = KeyOf(o, field.MergeKey);
                        items.RemoveAll(i => JsonNode.DeepEquals(KeyOf(i, field.MergeKey), key));
                        break;
                    default:
                        throw UnknownPatchType(directive, o);
                }
            }
            else
            {
                elements.Add(element);
            }
        }

        foreach (var element in elements)
        {
            if (field.MergeKey is null)
            {
                if (element is JsonObject or JsonArray)
                {
                    throw ApiException.BadRequest("invalid patch format of primitive list");
                }

                if (!items.Any(i => JsonNode.DeepEquals(i, element)))
                {
                    items.Add(element?.DeepClone());
                }

                continue;
            }

            var map = element as JsonObject ?? throw ApiException.BadRequest($"a list merged by {field.MergeKey} holds maps, not {element?.ToJsonString(JsonText.Options) ?? "null"}");
            var key = KeyOf(map, field.MergeKey);
            var index = items.FindIndex(i => JsonNode.DeepEquals(KeyOf(i, field.MergeKey), key));
            if (index < 0)
            {
                items.Add(MergeMap([], map, field.Type));
            }
            else
            {
                items[index] = MergeMap(items[index] as JsonObject ?? [], map, field.Type);
            }
        }

        return new JsonArray([.. items]);
    }

    /// <summary><c>$retainKeys</c>: the original keeps only the listed keys, and the patch may set no others.</summary>
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeys, out var node))
        {
            return;
        }

        var retain = (node as JsonArray ?? throw ApiException.BadRequest("invalid patch format of retainKeys")).Select(Text).ToHashSet();
        var outside = patch.Where(p => p.Value is not null && !p.Key.StartsWith('$')).Select(p => p.Key).FirstOrDefault(k => !retain.Contains(k));
        if (outside is not null)
        {
            throw ApiException.BadRequest($"invalid patch format of retainKeys: {outside} is patched but not retained");
        }

        foreach (var key in original.Select(p => p.Key).Where(k => !retain.Contains(k)).ToList())
        {
            original.Remove(key);
        }
    }

    private static void DeleteFromList(JsonArray? original, JsonNode? values)
    {
        var remove = values as JsonArray ?? throw ApiException.BadRequest("invalid patch format of primitive list");
        if (remove.Any(v => v is JsonObject or JsonArray))
        {
            throw ApiException.BadRequest("invalid patch format of primitive list");
        }

        for (var i = original?.Count - 1 ?? -1; i >= 0; i--)
        {
            if (remove.Any(v => JsonNode.DeepEquals(v, original![i])))
            {
                original!.RemoveAt(i);
            }
        }
    }

    /// <summary><c>$setElementOrder</c>: the listed elements take the places of listed elements in the given order;
    /// elements the order does not name (the server's own) keep theirs.</summary>
    private static void ApplyOrder(JsonArray? list, JsonArray order, FieldStrategy? field)
    {
        if (list is null || field is not { MergeList: true })
        {
            return;
        }

        JsonNode? Identity(JsonNode? n) => field.MergeKey is null ? n : KeyOf(n, field.MergeKey);
        var wanted = order.Select(Identity).ToList();
        int Rank(JsonNode? n) => wanted.FindIndex(w => JsonNode.DeepEquals(w, Identity(n)));
        var slots = Enumerable.Range(0, list.Count).Where(i => Rank(list[i]) >= 0).ToList();
        var ordered = slots.Select(i => list[i]).OrderBy(Rank).Select(n => n?.DeepClone()).ToList();
        for (var s = 0; s < slots.Count; s++)
        {
            list[slots[s]] = ordered[s];
        }
    }

    private static JsonNode KeyOf(JsonNode? element, string mergeKey) =>
        (element as JsonObject)?[mergeKey] ?? throw ApiException.BadRequest($"map: {element?.ToJsonString(JsonText.Options) ?? "null"} does not contain declared merge key: {mergeKey}");

    private static void Put(JsonObject target, string key, JsonNode value)
    {
        if (!ReferenceEquals(target[key], value))
        {
            target[key] = value.Parent is null ? value : value.DeepClone();
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString(JsonText.Options);

    private static ApiException UnknownPatchType(JsonNode? directive, JsonObject map) =>
        ApiException.BadRequest($"unknown patch type: {Text(directive)} in map: {map.ToJsonString(JsonText.Options)}");
}
