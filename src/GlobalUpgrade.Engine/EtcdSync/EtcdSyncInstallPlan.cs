using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.EtcdSync;

/// <summary>What Install-EtcdSync asks for. The token is never part of it: it is read from the primary when written.</summary>
public sealed record EtcdSyncInstallRequest
{
    public required ClusterConnection Primary { get; init; }

    public required ClusterConnection Standby { get; init; }

    /// <summary>The standby's platform profile: its version picks the plugin version by default.</summary>
    public required PlatformProfile Profile { get; init; }

    public required string ActiveClusterVip { get; init; }

    public IReadOnlyList<Uri>? ActiveEtcdEndpoints { get; init; }

    public IReadOnlyList<Uri>? StandbyEtcdEndpoints { get; init; }

    /// <summary>The standby's VIP for its default etcd endpoint, when the caller knows it (the runbook's Preflight); else read from its ProductBase.</summary>
    public string? StandbyVip { get; init; }

    public int? DataCheckInterval { get; init; }

    /// <summary>-Version: overrides the plugin version matching the platform (with a warning when it does not).</summary>
    public string? Version { get; init; }

    public string? ModuleName { get; init; }

    /// <summary>-Config: keys passed to ModuleInfo spec.config as they are (they win over the named parameters).</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Config { get; init; }

    public bool SkipEndpointCheck { get; init; }

    /// <summary>-RefreshCredentials: reinstall when the primary's token or etcd CA changed since the bootstrap job last ran (or when that is not recorded).</summary>
    public bool RefreshCredentials { get; init; }

    public IEtcdEndpointCheck EndpointCheck { get; init; } = new EtcdProbeEndpointCheck();

    public TimeSpan EndpointTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public EtcdSyncProfile Details => Profile.EtcdSyncDetails;
}

public enum PlannedChange
{
    None,
    Create,
    Update,
}

/// <summary>
/// What an install would change, decided before anything is written (so -WhatIf can say it, and a re-run can skip it).
/// <see cref="Line"/> is the version line of the plugin being installed: its form, bootstrap job and leader detection.
/// </summary>
public sealed record EtcdSyncInstallPlan(
    EtcdSyncInstallRequest Request,
    EtcdSyncLine Line,
    string ModuleName,
    string Version,
    JsonObject Config,
    string? ExistingModuleInfo,
    PlannedChange ModuleInfoChange,
    PlannedChange TokenSecretChange)
{
    /// <summary>Legacy plain-token keys in the current ModuleInfo's spec.config, removed once the install is verified.</summary>
    public IReadOnlyList<string> LegacyTokenKeys { get; init; } = [];

    /// <summary>Whether the credentials the bootstrap job last used are still the primary's (null where the line has no token secret, or nothing is installed).</summary>
    public EtcdSyncCredentialsState? Credentials { get; init; }

    /// <summary>-RefreshCredentials found them changed (or unrecorded): the plugin is removed and installed again, so its bootstrap job runs.</summary>
    public bool Reinstall { get; init; }

    /// <summary>The bootstrap job runs during this install (a new ModuleInfo or another version): the credentials it uses are then recorded.</summary>
    public bool RunsBootstrap { get; init; }

    /// <summary>Something is installed or written (the token secret, the ModuleInfo, a reinstall), apart from removing legacy keys.</summary>
    public bool InstallChanges => ModuleInfoChange != PlannedChange.None || TokenSecretChange != PlannedChange.None || Reinstall;

    public bool HasChanges => InstallChanges || LegacyTokenKeys.Count > 0;

    public string Describe()
    {
        var parts = new List<string>();
        if (Reinstall)
        {
            parts.Add($"reinstall plugin {ModuleName} (remove ModuleInfo {ExistingModuleInfo} once the DR consistency checks pass, then install it again) so that {Request.Details.BootstrapJob} refreshes the credentials: {Credentials?.Reason}");
        }

        if (TokenSecretChange != PlannedChange.None)
        {
            parts.Add($"{(TokenSecretChange == PlannedChange.Create ? "create" : "update")} secret {Request.Details.Namespace}/{Request.Details.ActiveClusterTokenSecret} from the primary's {Request.Details.Namespace}/{Request.Details.TokenSourceSecret} token");
        }

        if (ModuleInfoChange != PlannedChange.None)
        {
            parts.Add($"{(ModuleInfoChange == PlannedChange.Create ? "create a ModuleInfo" : $"update ModuleInfo {ExistingModuleInfo}")} for plugin {ModuleName} {Version} with config {Config.ToJsonString()}, then restart its {(Line.Leader == EtcdSyncLeaderDetection.Lease ? "leader pod (lease holder)" : "first pod by name")} once");
        }

        if (LegacyTokenKeys.Count > 0)
        {
            parts.Add($"after the install is verified, remove the legacy plain-token keys {string.Join(", ", LegacyTokenKeys.Select(k => $"spec.config.{k}"))} from ModuleInfo {ExistingModuleInfo}");
        }

        return parts.Count == 0 ? "nothing to change" : string.Join("; ", parts);
    }
}
