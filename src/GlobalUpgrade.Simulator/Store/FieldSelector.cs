using System.Text.Json.Nodes;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>A parsed <c>fieldSelector</c> (<c>=</c>, <c>==</c>, <c>!=</c>) over dotted field paths such as <c>metadata.name</c> or <c>status.phase</c>.</summary>
public sealed class FieldSelector
{
    private readonly List<(string Path, string Value, bool Equal)> terms = [];

    public static FieldSelector Everything { get; } = new();

    public bool Matches(JsonObject obj) =>
        terms.All(t => (obj.Str(t.Path) ?? "") == t.Value == t.Equal);

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var term in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ne = term.IndexOf("!=", StringComparison.Ordinal);
            if (ne > 0)
            {
                selector.terms.Add((term[..ne], term[(ne + 2)..], false));
                continue;
            }

            var eq = term.IndexOf('=');
            if (eq <= 0)
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            selector.terms.Add((term[..eq], term[(eq + 1)..].TrimStart('='), true));
        }

        return selector;
    }
}
