using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Upgrade;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// Values several steps use, worked out once by Preflight and kept as its outputs in the journal, so every later
/// step — and a resume days later — uses the same ones: the version each cluster ran, the standby's VIP and the
/// etcd synchronizer to re-install: its line (the target's major.minor; Preflight checks it is pushed to the standby,
/// see Steps.PreflightTargetSynchronizer) and the exact version when -EtcdSync Version pins one.
/// </summary>
public sealed record RunbookValues(IReadOnlyDictionary<string, string> Versions, string? StandbyVip, string? PluginVersion, string PluginLine)
{
    private const string VersionsKey = "versions";
    private const string StandbyVipKey = "standbyVip";
    private const string PluginVersionKey = "pluginVersion";
    private const string PluginLineKey = "pluginLine";

    /// <summary>Reads the clusters once: the version from each ProductBase; the standby's VIP as given, else from its ProductBase.</summary>
    public static async Task<RunbookValues> ComputeAsync(RunbookRequest request, CancellationToken cancellationToken)
    {
        var clusters = request.Standby is null ? new[] { request.Primary } : [request.Primary, request.Standby];
        var bases = await Task.WhenAll(clusters.Select(c => ProductBase.ReadWithVersionAsync(c, cancellationToken))).ConfigureAwait(false);
        var versions = clusters.Zip(bases).ToDictionary(p => p.First.Name, p => p.Second.Version!, StringComparer.Ordinal);
        var standbyVip = request.Standby is null ? null : request.StandbyVip ?? ProductBase.StandbyVipOf(request.Standby, bases[1]);

        // PluginVersion null: the highest published patch of PluginLine, resolved by the installer after the upgrade
        // (EtcdSyncPlugin.SelectModuleConfigAsync refuses with EtcdSyncVersionMismatch when none of the line is published).
        return new RunbookValues(versions, standbyVip, request.EtcdSync.Version, PlatformVersion.Parse(request.TargetVersion).Line);
    }

    public string VersionOf(string cluster) => Versions[cluster];

    /// <summary>What the re-install will pick, for messages.</summary>
    public string DescribePlugin() => PluginVersion is { } pinned ? $"etcd-sync {pinned} (-EtcdSync Version)" : $"etcd-sync of the {PluginLine} line (highest published patch)";

    /// <summary>Keeps the values as Preflight's outputs.</summary>
    public void Save(StepContext context)
    {
        context.SetOutput(VersionsKey, JObject.FromObject(Versions));
        context.SetOutput(StandbyVipKey, StandbyVip);
        context.SetOutput(PluginVersionKey, PluginVersion);
        context.SetOutput(PluginLineKey, PluginLine);
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
                Text(outputs[PluginVersionKey]),
                Text(outputs[PluginLineKey]) ?? PlatformVersion.Parse(context.Request.TargetVersion).Line);
        }

        context.Engine.Log.Verbose("The journal has no values from Preflight; reading them from the clusters.");
        return await ComputeAsync(context.Request, cancellationToken).ConfigureAwait(false);
    }

    // A null string is stored as a JSON null, which reads back as an empty string value.
    private static string? Text(JToken? token) => token is JValue { Value: string { Length: > 0 } text } ? text : null;
}
