using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Scenarios;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>
/// The real schemas of the platform's custom resources, read from <c>../shared/acp</c> beside the repository:
/// CRD YAML files (<c>crds/</c>) and the tkestack OpenAPI document (<c>openapi/</c>).
/// </summary>
public sealed class SchemaCatalog
{
    private const string TkePrefix = "io.alauda.cluster-api-provider-alauda.pkg.api.platform.v1.";

    private readonly Dictionary<string, JsonObject> roots = [];
    private readonly JsonObject openApiSchemas;

    private SchemaCatalog(string acpDir)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(acpDir, "crds"), "*.yaml"))
        {
            var crd = ScenarioLoader.YamlToJson(File.ReadAllText(file)) as JsonObject;
            var kind = crd?["spec"]?["names"]?["kind"]?.ToString();
            var group = crd?["spec"]?["group"]?.ToString();
            foreach (var version in crd?["spec"]?["versions"]?.AsArray() ?? [])
            {
                if (kind is not null && version?["schema"]?["openAPIV3Schema"] is JsonObject schema)
                {
                    roots[$"{group}/{version["name"]}/{kind}"] = schema;
                }
            }
        }

        var openApi = JsonNode.Parse(File.ReadAllText(Path.Combine(acpDir, "openapi", "platform.tkestack.io.v1.json")))!;
        openApiSchemas = openApi["components"]!["schemas"]!.AsObject();
        foreach (var kind in new[] { "Machine", "Cluster" })
        {
            roots[$"platform.tkestack.io/v1/{kind}"] = openApiSchemas[TkePrefix + kind]!.AsObject();
        }
    }

    /// <summary>Finds <c>../shared/acp</c> from the folder holding GlobalUpgrade.sln above the test binaries.</summary>
    public static string FindAcpDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GlobalUpgrade.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "acp"));
            }
        }

        throw new DirectoryNotFoundException("GlobalUpgrade.sln not found above " + AppContext.BaseDirectory);
    }

    public static SchemaCatalog Load(string acpDir) => new(acpDir);

    public bool Knows(string apiVersion, string kind) => roots.ContainsKey($"{apiVersion}/{kind}");

    /// <summary>True when the dotted path (<c>status.conditions[].type</c>) is declared by the schema of the kind.</summary>
    public bool HasPath(string apiVersion, string kind, string path)
    {
        JsonObject? schema = Resolve(roots[$"{apiVersion}/{kind}"]);
        foreach (var part in path.Split('.'))
        {
            if (schema is null)
            {
                return false;
            }

            if (OpenEnded(schema))
            {
                return true;
            }

            var name = part.EndsWith("[]", StringComparison.Ordinal) ? part[..^2] : part;
            schema = Resolve(schema["properties"]?[name] as JsonObject);
            if (part.EndsWith("[]", StringComparison.Ordinal))
            {
                schema = Resolve(schema?["items"] as JsonObject);
            }
        }

        return schema is not null;
    }

    // Free-form maps and preserved unknown fields accept any key below them.
    private static bool OpenEnded(JsonObject schema) =>
        schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true
        || (schema["additionalProperties"] is not null && schema["properties"] is null);

    private JsonObject? Resolve(JsonObject? schema)
    {
        while (schema is not null)
        {
            if (schema["$ref"]?.ToString() is { } reference)
            {
                schema = openApiSchemas[reference.Split('/')[^1]] as JsonObject;
            }
            else if (schema["allOf"] is JsonArray { Count: 1 } allOf && schema["properties"] is null)
            {
                schema = allOf[0] as JsonObject;
            }
            else
            {
                return schema;
            }
        }

        return null;
    }
}
