using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.EtcdSync;

/// <summary>The values Install-EtcdSync puts in the install form; a field the version's form lacks is not written.</summary>
public sealed record EtcdSyncFormValues
{
    public required string ActiveClusterVip { get; init; }

    public required IReadOnlyList<Uri> ActiveEtcdEndpoints { get; init; }

    /// <summary>Written only where the form has "Standby Cluster ETCD Endpoints" (4.3.1+), and only when given (the docs keep its default).</summary>
    public IReadOnlyList<Uri>? StandbyEtcdEndpoints { get; init; }

    public required string ActiveClusterTokenSecret { get; init; }

    /// <summary>The docs say "use the default": written only when asked for.</summary>
    public int? DataCheckInterval { get; init; }

    /// <summary>-Config: values by their path in spec.config (dots nest, objects merge); they win over the fields above.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Config { get; init; }
}

/// <summary>
/// Builds ModuleInfo spec.config for one version line's install form. Each field is found by its documented label in
/// the ModuleConfig's spec.deployDescriptors (displayName) and written at the descriptor's path (a dotted path is a
/// nested key of spec.config) [schema: cluster.alauda.io_moduleconfigs.yaml]. Only a ModuleConfig without descriptors
/// falls back to the [assumed] key names of <see cref="EtcdSyncProfile"/>.
/// </summary>
public static class EtcdSyncForm
{
    public static JsonObject Build(JsonObject moduleConfig, EtcdSyncLine line, EtcdSyncProfile details, EtcdSyncFormValues values)
    {
        var form = ModuleConfig.From(moduleConfig);
        var name = form.Name;
        var descriptors = form.Descriptors;
        var config = new JsonObject();
        foreach (var (field, value) in Values(line, values))
        {
            string path;
            if (descriptors.Count > 0)
            {
                path = PathByLabel(descriptors, field, name, line);
            }
            else
            {
                path = FallbackKey(form.DeclaredKeys, details.FallbackKeys(field), field, name);
                OperationLog.Current.Verbose($"ModuleConfig {name} has no deployDescriptors: writing \"{EtcdSyncFormFields.Label(field)}\" under the [assumed] key '{path}'");
            }

            Set(config, path, Shape(value, form.HoldsListAt(path)));
        }

        // -Config keys are paths like the descriptors' (dots nest); an object merges into what is there, anything else replaces it.
        var known = KnownPaths(descriptors, form.Defaults);
        foreach (var (key, value) in values.Config ?? new Dictionary<string, JsonNode?>())
        {
            CheckConfigKey(key, known, name);
            Set(config, key, value?.DeepClone());
        }

        return config;
    }

    /// <summary>True when every value of <paramref name="wanted"/> is in <paramref name="current"/> (other keys of current may exist).</summary>
    public static bool Holds(JsonNode? current, JsonNode? wanted) =>
        wanted is JsonObject w
            ? current is JsonObject c && w.All(p => Holds(c[p.Key], p.Value))
            : JsonNode.DeepEquals(current, wanted);

    /// <summary>The fields this line's form has that Install-EtcdSync fills, with their values ("Print detail logs" stays at its default).</summary>
    private static IEnumerable<(EtcdSyncFormField Field, JsonNode Value)> Values(EtcdSyncLine line, EtcdSyncFormValues values)
    {
        foreach (var field in line.Form)
        {
            JsonNode? value = field switch
            {
                EtcdSyncFormField.ActiveClusterVip => values.ActiveClusterVip,
                EtcdSyncFormField.ActiveEtcdEndpoints => List(values.ActiveEtcdEndpoints),
                EtcdSyncFormField.StandbyEtcdEndpoints => values.StandbyEtcdEndpoints is { } s ? List(s) : null,
                EtcdSyncFormField.ActiveClusterTokenSecret => values.ActiveClusterTokenSecret,
                EtcdSyncFormField.DataCheckInterval => values.DataCheckInterval is { } i ? i : null,
                _ => null,
            };
            if (value is not null)
            {
                yield return (field, value);
            }
        }
    }

    private static JsonArray List(IReadOnlyList<Uri> endpoints) => new(endpoints.Select(u => (JsonNode)u.ToString().TrimEnd('/')).ToArray());

    private static string PathByLabel(IReadOnlyList<ModuleConfig.FormDescriptor> descriptors, EtcdSyncFormField field, string moduleConfig, EtcdSyncLine line)
    {
        var label = EtcdSyncFormFields.Label(field);
        var match = descriptors.FirstOrDefault(d => SameLabel(d.DisplayName, label));
        if (match is { Path: { Length: > 0 } path })
        {
            return path;
        }

        // An error, not a guess: the label is documented for this version, so its absence means the plugin is not the
        // one the docs describe, and a value written under a guessed key would leave the standby unsynchronized.
        var present = descriptors.Select(d => $"\"{d.DisplayName ?? "(no label)"}\" at {d.Path}");
        throw new GlobalUpgradeException(
            ErrorIds.EtcdSyncFormFieldNotFound,
            FailureCategory.InvalidData,
            $"The install form of ModuleConfig {moduleConfig} has no field labelled \"{label}\", which the ACP {line.Name} form has [{line.Source}]. Its fields: {string.Join(", ", present)}. Check that the plugin version matches the platform (-Version), or write the form yourself with -Config.",
            moduleConfig);
    }

    /// <summary>The paths the form declares: its descriptors' paths and every key of spec.config's defaults (nested keys dotted).</summary>
    private static HashSet<string> KnownPaths(IReadOnlyList<ModuleConfig.FormDescriptor> descriptors, JsonObject? defaults)
    {
        var known = new HashSet<string>(descriptors.Select(d => d.Path).OfType<string>(), StringComparer.Ordinal);
        void Walk(JsonObject node, string prefix)
        {
            foreach (var (key, child) in node)
            {
                known.Add(prefix + key);
                if (child is JsonObject nested)
                {
                    Walk(nested, prefix + key + ".");
                }
            }
        }

        if (defaults is not null)
        {
            Walk(defaults, "");
        }

        return known;
    }

    /// <summary>
    /// A -Config key must be a path the form declares, a parent of one, or a key inside a declared object: a typo
    /// would otherwise be written beside the real key, and the synchronizer would run with the default the user meant
    /// to change. A form that declares nothing cannot be checked.
    /// </summary>
    private static void CheckConfigKey(string key, HashSet<string> known, string moduleConfig)
    {
        if (known.Count == 0 || known.Any(k => k == key || k.StartsWith(key + ".", StringComparison.Ordinal) || key.StartsWith(k + ".", StringComparison.Ordinal)))
        {
            return;
        }

        throw new GlobalUpgradeException(
            ErrorIds.EtcdSyncConfigKeyUnknown,
            FailureCategory.InvalidArgument,
            $"-Config key '{key}' is not a field of the install form of ModuleConfig {moduleConfig}. Its fields: {string.Join(", ", known.Order(StringComparer.Ordinal))}. Use one of them (dots nest).",
            key);
    }

    private static bool SameLabel(string? a, string b) =>
        a is not null && string.Equals(string.Join(' ', a.Split(' ', StringSplitOptions.RemoveEmptyEntries)), b, StringComparison.OrdinalIgnoreCase);

    /// <summary>[assumed] The first fallback key spec.config declares (case and punctuation ignored), or the first one when it declares none.</summary>
    private static string FallbackKey(IReadOnlyList<string> declared, IReadOnlyList<string> candidates, EtcdSyncFormField field, string moduleConfig)
    {
        if (declared.Count == 0)
        {
            return candidates[0];
        }

        return candidates.Select(c => declared.FirstOrDefault(k => Normalize(k) == Normalize(c))).FirstOrDefault(k => k is not null)
            ?? throw new GlobalUpgradeException(
                ErrorIds.EtcdSyncConfigKeyUnknown,
                FailureCategory.InvalidData,
                $"ModuleConfig {moduleConfig} has no deployDescriptors and declares the config keys {string.Join(", ", declared)}; none of them is the [assumed] key of \"{EtcdSyncFormFields.Label(field)}\" (tried {string.Join(", ", candidates)}). Pass the value under its real key with -Config @{{ '<key>' = ... }}.",
                moduleConfig);
    }

    private static string Normalize(string key) => new(key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    /// <summary>A list stays a list where the form's default (or JSON schema) is one, else it is written comma-separated.</summary>
    private static JsonNode Shape(JsonNode value, bool formHoldsList) =>
        value is JsonArray list && !formHoldsList
            ? string.Join(",", list.Select(v => v!.GetValue<string>()))
            : value;

    /// <summary>Writes at a dotted path, creating the nested objects on the way; an object is merged into an object already there.</summary>
    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject next)
            {
                next = new JsonObject();
                node[part] = next;
            }

            node = next;
        }

        if (value is JsonObject merged && node[parts[^1]] is JsonObject existing)
        {
            foreach (var (key, inner) in merged.ToList())
            {
                merged.Remove(key);
                Set(existing, key, inner);
            }

            return;
        }

        node[parts[^1]] = value;
    }
}
