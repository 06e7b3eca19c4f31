namespace GlobalUpgrade.Simulator.Store;

/// <summary>A parsed <c>labelSelector</c>: equality, inequality, set-based (<c>in</c>, <c>notin</c>) and existence terms.</summary>
public sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> terms = [];

    public static LabelSelector Everything { get; } = new();

    public bool Matches(IReadOnlyDictionary<string, string> labels) => terms.All(t => t(labels));

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in SplitTerms(text))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            selector.terms.Add(ParseTerm(term));
        }

        return selector;
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseTerm(string term)
    {
        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            return l => !l.ContainsKey(key);
        }

        var paren = term.IndexOf('(');
        if (paren > 0)
        {
            var head = term[..paren].Trim();
            var values = term[(paren + 1)..].TrimEnd(')', ' ').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            if (head.EndsWith(" notin", StringComparison.Ordinal))
            {
                var key = head[..^6].Trim();
                return l => !l.TryGetValue(key, out var v) || !values.Contains(v);
            }

            if (head.EndsWith(" in", StringComparison.Ordinal))
            {
                var key = head[..^3].Trim();
                return l => l.TryGetValue(key, out var v) && values.Contains(v);
            }

            throw ApiException.BadRequest($"unable to parse requirement: {term}");
        }

        var ne = term.IndexOf("!=", StringComparison.Ordinal);
        if (ne > 0)
        {
            var key = term[..ne].Trim();
            var value = term[(ne + 2)..].Trim();
            return l => !l.TryGetValue(key, out var v) || v != value;
        }

        var eq = term.IndexOf('=');
        if (eq > 0)
        {
            var key = term[..eq].Trim();
            var value = term[(eq + 1)..].TrimStart('=').Trim();
            return l => l.TryGetValue(key, out var v) && v == value;
        }

        return l => l.ContainsKey(term);
    }

    // Commas separate terms except inside "in (a,b)".
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }
}
