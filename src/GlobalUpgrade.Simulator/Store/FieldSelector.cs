using System.Text.Json.Nodes;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>
/// A parsed <c>fieldSelector</c> (<c>=</c>, <c>==</c>, <c>!=</c>) over the fields the API server supports for the
/// kind: like a real server, any other field is refused with 400, not silently matched.
/// </summary>
public sealed class FieldSelector
{
    private static readonly string[] Metadata = ["metadata.name", "metadata.namespace"];

    // The field labels kube-apiserver registers per kind (pkg/registry/*/strategy.go GetAttrs / AddFieldLabelConversionFunc);
    // every kind has metadata.name and metadata.namespace.
    private static readonly Dictionary<ResourceType, string[]> CoreFields = new()
    {
        [ResourceTypes.Pods] = [.. Metadata, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
        [ResourceTypes.Namespaces] = [.. Metadata, "status.phase"],
        [ResourceTypes.Secrets] = [.. Metadata, "type"],
        [ResourceTypes.Jobs] = [.. Metadata, "status.successful"],
    };

    private readonly List<(string Path, string Value, bool Equal)> terms = [];

    public static FieldSelector Everything { get; } = new();

    public bool Matches(JsonObject obj) =>
        terms.All(t => (obj.Str(t.Path) ?? "") == t.Value == t.Equal);

    /// <summary>Parses a selector for <paramref name="type"/>; a field the kind does not support is 400 Bad Request.</summary>
    public static FieldSelector Parse(string? text, ResourceType type)
    {
        var selector = Parse(text);
        foreach (var (path, _, _) in selector.terms)
        {
            if (type.IsCustom && !Metadata.Contains(path))
            {
                // A custom resource (apiextensions-apiserver): only the object's name and namespace.
                throw ApiException.BadRequest($"\"{path}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
            }

            if (!type.IsCustom && !CoreFields.GetValueOrDefault(type, Metadata).Contains(path))
            {
                throw ApiException.BadRequest($"field label not supported: {path}");
            }
        }

        return selector;
    }

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
