using System.Globalization;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>
/// One column of a server-side table: a CRD's <c>additionalPrinterColumns</c> entry (name, type, JSONPath) or a
/// built-in printer's column (a function of the object).
/// </summary>
internal sealed record PrinterColumn(string Name, string Type, string Description, Func<JsonObject, DateTimeOffset, JsonNode?> Cell, string Format = "", int Priority = 0)
{
    /// <summary>A CRD printer column: the first value its JSONPath finds, as the API server's printer does.</summary>
    public static PrinterColumn FromJsonPath(string name, string jsonPath) =>
        new(name, "string", "", (o, _) => Select(o, jsonPath).FirstOrDefault()?.DeepClone());

    public JsonObject Definition() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["format"] = Format,
        ["description"] = Description,
        ["priority"] = Priority,
    };

    /// <summary>
    /// The JSONPath subset CRD printer columns use: <c>.a.b</c>, escaped dots (<c>cpaas\.io/name</c>), <c>[n]</c>
    /// and <c>[?(@.field=='value')]</c>.
    /// </summary>
    public static IEnumerable<JsonNode> Select(JsonNode? root, string path)
    {
        IEnumerable<JsonNode?> current = [root];
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var name = new System.Text.StringBuilder();
                i++;
                while (i < path.Length && path[i] is not ('.' or '['))
                {
                    if (path[i] == '\\' && i + 1 < path.Length)
                    {
                        i++;
                    }

                    name.Append(path[i++]);
                }

                var key = name.ToString();
                current = current.Select(n => n is JsonObject o ? o[key] : null).ToList();
            }
            else if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                var inner = path[(i + 1)..close];
                i = close + 1;
                if (int.TryParse(inner, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
                {
                    current = current.Select(n => n is JsonArray a && index >= 0 && index < a.Count ? a[index] : null).ToList();
                }
                else if (inner.StartsWith("?(@.", StringComparison.Ordinal) && inner.EndsWith(')'))
                {
                    var test = inner[4..^1].Split("==", 2);
                    var (field, value) = (test[0].Trim(), test[1].Trim().Trim('\'', '"'));
                    current = current.SelectMany(n => n is JsonArray a ? a : []).Where(n => n.Str(field) == value).ToList();
                }
                else
                {
                    current = [];
                }
            }
            else
            {
                break;
            }
        }

        return current.Where(n => n is not null)!;
    }
}
