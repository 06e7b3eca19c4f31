using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Readiness;
using GlobalUpgrade.Upgrade;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// Every cluster plugin's version on each cluster as Preflight found it, kept in the journal (Preflight's output
/// "pluginVersions": connection → "&lt;cluster label&gt;/&lt;module&gt;" → version), so PostChecks can tell a plugin the
/// upgrade lowered (<see cref="PostUpgradePluginVersions"/>); and every Operator's (output "operatorVersions":
/// connection → "&lt;namespace&gt;/&lt;ClusterServiceVersion&gt;" → spec.version, null where OLM is not served), for the
/// record: the Functional Components dialog offers Operators too [doc release-4.2 UGC "Trigger the upgrade"].
/// </summary>
public static class ComponentVersionRecord
{
    private const string Key = "pluginVersions";
    private const string OperatorsKey = "operatorVersions";

    /// <summary>Reads the plugins of every connection of the request and keeps them as Preflight's output.</summary>
    public static async Task SaveAsync(StepContext context, IEnumerable<ClusterConnection> clusters, CancellationToken cancellationToken)
    {
        var record = new JObject();
        var operators = new JObject();
        foreach (var cluster in clusters)
        {
            var infos = await cluster.ListAsync(AcpResources.ModuleInfos, null, null, cancellationToken).ConfigureAwait(false);
            record[cluster.Name] = JObject.FromObject(Of(infos.Select(ReadinessReader.Installed)));
            var csvs = await ReadinessReader.ListIfServedAsync(cluster, ClusterServiceVersion.Resource, cancellationToken).ConfigureAwait(false);
            operators[cluster.Name] = csvs is null ? JValue.CreateNull() : JObject.FromObject(csvs.Select(ClusterServiceVersion.From)
                .Where(c => c.Version is not null).GroupBy(c => c.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Version, StringComparer.Ordinal));
        }

        context.SetOutput(Key, record);
        context.SetOutput(OperatorsKey, operators);
    }

    /// <summary>"&lt;cluster label&gt;/&lt;module&gt;" → version, for plugins whose version is known.</summary>
    public static IReadOnlyDictionary<string, string> Of(IEnumerable<InstalledPlugin> plugins) =>
        plugins.Where(p => p.Version is not null).GroupBy(PostUpgradePluginVersions.KeyOf, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Version!, StringComparer.Ordinal);

    /// <summary>What Preflight kept for one connection; null when the journal has no record (written before it was kept).</summary>
    public static IReadOnlyDictionary<string, string>? Read(StepContext context, string cluster) =>
        context.Journal.Document.Steps.FirstOrDefault(s => s.Name == UpgradeSteps.Preflight)?.Outputs?[Key]?[cluster] is JObject versions
            ? versions.Properties().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal)
            : null;
}
