using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GlobalUpgrade.Snapshot;

/// <summary>
/// Makes an object fit for a snapshot file: no secret values, nothing that looks like a token, and none of the large
/// fields the module never reads (managedFields, last-applied configuration, pod spec details).
/// </summary>
public static partial class SnapshotScrubber
{
    public const string Redacted = "[redacted]";

    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// The fields that say which object this is: never secrets (anyone who may list the kind sees them), and what
    /// the module finds objects by — plugins by label, and the platform names a ModuleInfo &lt;cluster&gt;-&lt;32 hex&gt;,
    /// which reads as a token. Annotations are not among them: they may carry anything.
    /// </summary>
    private static readonly HashSet<string> IdentityFields = ["name", "generateName", "namespace", "uid", "resourceVersion", "labels", "ownerReferences"];

    /// <summary>Returns a scrubbed copy of <paramref name="source"/>.</summary>
    public static JsonObject Scrub(JsonObject source)
    {
        var obj = (JsonObject)source.DeepClone();
        if (obj["metadata"] is JsonObject meta)
        {
            meta.Remove("managedFields");
            if (meta["annotations"] is JsonObject annotations)
            {
                annotations.Remove(LastApplied);
            }
        }

        switch (obj["kind"]?.GetValue<string>())
        {
            case "Secret":
                KeysOnly(obj, "data");
                KeysOnly(obj, "stringData");
                break;
            case "Pod":
                TrimPod(obj);
                break;
            case "Job" or "Deployment":
                // The module reads their status and labels only; the pod template is the bulk.
                (obj["spec"] as JsonObject)?.Remove("template");
                break;
        }

        RedactTokens(obj);
        return obj;
    }

    /// <summary>True for a string that could be a credential: a JWT, a bearer header, a long unbroken base64 or hex run.</summary>
    public static bool LooksLikeToken(string value) =>
        value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || Jwt().IsMatch(value) || LongOpaque().IsMatch(value);

    private static void KeysOnly(JsonObject obj, string field)
    {
        if (obj[field] is JsonObject data)
        {
            obj[field] = new JsonObject(data.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)"")));
        }
    }

    // Keep what the module reads of a pod: identity, node, container names and images, and the whole status.
    private static void TrimPod(JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec)
        {
            return;
        }

        var trimmed = new JsonObject();
        foreach (var key in new[] { "nodeName", "hostNetwork" })
        {
            if (spec[key] is { } value)
            {
                trimmed[key] = value.DeepClone();
            }
        }

        if (spec["containers"] is JsonArray containers)
        {
            trimmed["containers"] = new JsonArray(containers.OfType<JsonObject>()
                .Select(c => (JsonNode)new JsonObject { ["name"] = c["name"]?.DeepClone(), ["image"] = c["image"]?.DeepClone() })
                .ToArray());
        }

        pod["spec"] = trimmed;
    }

    private static void RedactTokens(JsonObject obj)
    {
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            if (key == "metadata" && obj[key] is JsonObject metadata)
            {
                foreach (var field in metadata.Select(p => p.Key).Where(k => !IdentityFields.Contains(k)).ToList())
                {
                    RedactMember(metadata, field);
                }
            }
            else
            {
                RedactMember(obj, key);
            }
        }
    }

    private static void RedactMember(JsonObject obj, string key)
    {
        if (obj[key] is JsonValue v && v.TryGetValue<string>(out var text) && LooksLikeToken(text))
        {
            obj[key] = Redacted;
        }
        else
        {
            RedactNested(obj[key]);
        }
    }

    private static void RedactNested(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    RedactMember(obj, key);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var text) && LooksLikeToken(text))
                    {
                        array[i] = Redacted;
                    }
                    else
                    {
                        RedactNested(array[i]);
                    }
                }

                break;
        }
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")]
    private static partial Regex Jwt();

    // 32+ characters of base64/hex with a digit in them, anywhere in the value: a key, token or certificate body
    // (also inside a longer text). Image digests (sha256:...) are not secrets and stay.
    [GeneratedRegex(@"(?<![A-Za-z0-9+/=]|sha256:)(?=[A-Za-z+/=]*[0-9])[A-Za-z0-9+/=]{32,}")]
    private static partial Regex LongOpaque();
}
