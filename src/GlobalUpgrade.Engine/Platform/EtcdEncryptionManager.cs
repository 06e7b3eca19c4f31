using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform;

/// <summary>
/// The etcd Encryption Manager cluster plugin, as far as the etcd synchronizer depends on it
/// [doc master docs/en/configure/etcd/encryption.mdx].
/// </summary>
public static class EtcdEncryptionManager
{
    /// <summary>[doc master encryption.mdx] The plugin's name in the docs (and the console's plugin list).</summary>
    public const string DisplayName = "etcd Encryption Manager";

    /// <summary>[doc master encryption.mdx "Plugin Parameters"] The form parameter that selects the key strategy.</summary>
    public const string KeyStrategyParameter = "key_strategy";

    /// <summary>[doc master encryption.mdx "Advanced (chart values…)"] The same setting as a chart value.</summary>
    public const string KeyStrategyChartValue = "etcdEncryption.keyStrategy";

    /// <summary>[doc master encryption.mdx "Key Strategies"] The strategy required on global clusters (a DR pair derives its keys from a shared SeedBundle).</summary>
    public const string Deterministic = "deterministic";

    /// <summary>
    /// [doc master encryption.mdx "Prerequisites"] "When global.cluster.name is global, the chart enforces
    /// etcdEncryption.keyStrategy=deterministic": on a global cluster a form without the parameter still means deterministic.
    /// </summary>
    public static bool IsDeterministic(string? keyStrategy) =>
        keyStrategy is null || string.Equals(keyStrategy, Deterministic, StringComparison.OrdinalIgnoreCase);

    /// <summary>The key strategy in the plugin's settings: the form parameter at any depth, or the chart value path.</summary>
    public static string? KeyStrategyOf(JsonNode? config)
    {
        if (JsonPath.String(config, KeyStrategyChartValue) is { } chart)
        {
            return chart;
        }

        return config is JsonObject obj ? Find(obj) : null;

        static string? Find(JsonObject node)
        {
            foreach (var (key, child) in node)
            {
                if (key == KeyStrategyParameter && child is JsonValue value && value.TryGetValue<string>(out var text))
                {
                    return text;
                }

                if (child is JsonObject nested && Find(nested) is { } inner)
                {
                    return inner;
                }
            }

            return null;
        }
    }
}
