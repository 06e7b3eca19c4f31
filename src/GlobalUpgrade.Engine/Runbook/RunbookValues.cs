using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Upgrade;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// Values several steps use, worked out once by Preflight and kept as its outputs in the journal, so every later
/// step — and a resume days later — uses the same ones: the version each cluster ran, the standby's VIP and the
/// etcd synchronizer version to re-install.
/// </summary>
public sealed record RunbookValues(IReadOnlyDictionary<string, string> Versions, string? StandbyVip, string? PluginVersion)
{
    private const string VersionsKey = "versions";
    private const string StandbyVipKey = "standbyVip";
    private const string PluginVersionKey = "pluginVersion";

    /// <summary>Reads the clusters once: the version from each ProductBase; the standby's VIP as given, else from its ProductBase.</summary>
    public static async Task<RunbookValues> ComputeAsync(RunbookRequest request, CancellationToken cancellationToken)
    {
        var clusters = request.Standby is null ? new[] { request.Primary } : [request.Primary, request.Standby];
        var bases = await Task.WhenAll(clusters.Select(c => ProductBase.ReadWithVersionAsync(c, cancellationToken))).ConfigureAwait(false);
        var versions = clusters.Zip(bases).ToDictionary(p => p.First.Name, p => p.Second.Version!, StringComparer.Ordinal);
        var standbyVip = request.Standby is null ? null : request.StandbyVip ?? ProductBase.StandbyVipOf(request.Standby, bases[1]);

        // Null: the version the upgraded platform offers, resolved by the installer after the upgrade.
        return new RunbookValues(versions, standbyVip, request.EtcdSync.Version);
    }

    public string VersionOf(string cluster) => Versions[cluster];

    /// <summary>Keeps the values as Preflight's outputs.</summary>
    public void Save(StepContext context)
    {
        context.SetOutput(VersionsKey, JObject.FromObject(Versions));
        context.SetOutput(StandbyVipKey, StandbyVip);
        context.SetOutput(PluginVersionKey, PluginVersion);
    }

    /// <summary>The values Preflight kept; for a journal without them (written before they were kept), read them again.</summary>
    public static async Task<RunbookValues> ReadAsync(StepContext context, CancellationToken cancellationToken)
    {
        var outputs = context.Journal.Document.Steps.FirstOrDefault(s => s.Name == UpgradeSteps.Preflight)?.Outputs;
        if (outputs?[VersionsKey] is JObject versions)
        {
            return new RunbookValues(
                versions.Properties().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal),
                Text(outputs[StandbyVipKey]),
                Text(outputs[PluginVersionKey]));
        }

        OperationLog.Current.Verbose("The journal has no values from Preflight; reading them from the clusters.");
        return await ComputeAsync(context.Request, cancellationToken).ConfigureAwait(false);
    }

    // A null string is stored as a JSON null, which reads back as an empty string value.
    private static string? Text(JToken? token) => token is JValue { Value: string { Length: > 0 } text } ? text : null;
}
