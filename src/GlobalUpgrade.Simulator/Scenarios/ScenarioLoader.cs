using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using YamlDotNet.RepresentationModel;

namespace GlobalUpgrade.Simulator.Scenarios;

/// <summary>
/// Reads a scenario (YAML or JSON) and produces one <see cref="ClusterScenario"/> per simulated cluster:
/// <c>defaults</c> merge-patched with <c>clusters.&lt;name&gt;</c>. Without DR the <c>global</c> section is used,
/// or <c>primary</c> when there is none, so one file serves both modes.
/// </summary>
public static class ScenarioLoader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Resolve(string scenario)
    {
        if (scenario.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || scenario.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || scenario.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || scenario.Contains(Path.DirectorySeparatorChar))
        {
            return Path.GetFullPath(scenario);
        }

        foreach (var dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(ScenarioLoader).Assembly.Location) ?? "" })
        {
            var path = Path.Combine(dir, "Scenarios", scenario + ".yaml");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"scenario '{scenario}' not found (looked for Scenarios/{scenario}.yaml beside the simulator)");
    }

    public static IReadOnlyList<string> Names()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Scenarios");
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order().ToList() : [];
    }

    public static Dictionary<string, ClusterScenario> Load(string scenario, IEnumerable<string> clusterNames)
    {
        var root = ReadRoot(scenario, 0);
        var result = new Dictionary<string, ClusterScenario>();
        var sections = root["clusters"] as JsonObject ?? new JsonObject();
        foreach (var name in clusterNames)
        {
            var merged = root["defaults"]?.DeepClone() as JsonObject ?? new JsonObject();
            var section = sections[name] ?? (name == "global" ? sections["primary"] : null);
            if (section is not null)
            {
                merged = (JsonObject)Patches.Merge(merged, section)!;
            }

            result[name] = merged.Deserialize<ClusterScenario>(Json) ?? new ClusterScenario();
        }

        return result;
    }

    // A scenario may name another in "extends": that one's root, merge-patched with this file's (lists replace).
    private static JsonObject ReadRoot(string scenario, int depth)
    {
        var path = Resolve(scenario);
        var text = File.ReadAllText(path);
        var root = (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? JsonNode.Parse(text) : YamlToJson(text)) as JsonObject
            ?? throw new InvalidDataException($"scenario {path} is not a mapping");
        if (root["extends"]?.GetValue<string>() is not { Length: > 0 } parent)
        {
            return root;
        }

        if (depth > 8)
        {
            throw new InvalidDataException($"scenario {path}: 'extends' goes deeper than 8 files");
        }

        root.Remove("extends");
        var baseName = parent.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ? Path.Combine(Path.GetDirectoryName(path)!, parent) : parent;
        return (JsonObject)Patches.Merge(ReadRoot(baseName, depth + 1), root)!;
    }

    /// <summary>YAML to JSON nodes; plain scalars that look like numbers or booleans become such.</summary>
    public static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    obj[((YamlScalarNode)k).Value!] = Convert(v);
                }

                return obj;
            case YamlSequenceNode seq:
                return new JsonArray(seq.Children.Select(Convert).ToArray());
            case YamlScalarNode s:
                var value = s.Value;
                if (s.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted)
                {
                    return JsonValue.Create(value);
                }

                return value switch
                {
                    null or "~" or "null" or "" => null,
                    "true" => JsonValue.Create(true),
                    "false" => JsonValue.Create(false),
                    _ when long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
                    _ when double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
                    _ => JsonValue.Create(value),
                };
            default:
                return null;
        }
    }
}
