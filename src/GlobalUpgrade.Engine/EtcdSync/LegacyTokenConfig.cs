using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Models;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// The legacy plain-token keys left in the synchronizer's settings (ModuleInfo spec.config). [doc master
/// upgrade/upgrade_global_cluster.mdx "Reinstall the etcd synchronization plugin"]: the token secret replaces them, and
/// "After verification succeeds, remove any remaining legacy plain-token configuration from the plugin settings". Their
/// names are [assumed] (<see cref="EtcdSyncProfile.LegacyTokenKeys"/>); only paths are ever reported, never the values.
/// </summary>
public static class LegacyTokenConfig
{
    /// <summary>The dotted paths in <paramref name="config"/> whose key is a legacy plain-token key (not the token secret's name field).</summary>
    public static IReadOnlyList<string> Find(JsonNode? config, EtcdSyncProfile details)
    {
        var wanted = details.LegacyTokenKeys.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        var found = new List<string>();
        void Walk(JsonObject node, string prefix)
        {
            foreach (var (key, child) in node)
            {
                if (child is JsonObject nested)
                {
                    Walk(nested, prefix + key + ".");
                }
                else if (wanted.Contains(Normalize(key)) && !IsTokenSecretName(child, details))
                {
                    found.Add(prefix + key);
                }
            }
        }

        if (config is JsonObject root)
        {
            Walk(root, "");
        }

        return found;
    }

    /// <summary>Removes <paramref name="paths"/> from spec.config of ModuleInfo <paramref name="moduleInfo"/> (a merge patch with nulls).</summary>
    public static async Task RemoveAsync(ClusterConnection standby, string moduleInfo, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var patch = paths.Aggregate(new JsonObject(), (merged, path) => MergePatch.Both(merged, MergePatch.Remove("spec.config." + path)));

        OperationLog.Current.Verbose($"[{standby.Name}] removing legacy plain-token keys from ModuleInfo {moduleInfo} spec.config: {string.Join(", ", paths)}");
        await standby.CallAsync($"removing legacy plain-token keys from ModuleInfo {moduleInfo}", (c, ct) =>
            c.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), AcpResources.ModuleInfos.Group, AcpResources.ModuleInfos.Version, AcpResources.ModuleInfos.Plural, moduleInfo, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
    }

    // The 4.3.1+ field "Active Global Cluster Token Secret" holds the secret's name, which is not a plain token.
    private static bool IsTokenSecretName(JsonNode? value, EtcdSyncProfile details) =>
        value is JsonValue v && v.TryGetValue<string>(out var text) && text == details.ActiveClusterTokenSecret;

    private static string Normalize(string key) => new(key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
