namespace GlobalUpgrade;

/// <summary>
/// The etcd synchronizer as Install-EtcdSync (or Restart-EtcdSync -PassThru) left it: which ModuleInfo, which plugin
/// version, the leader pod that logged "Start Sync update" and when. <see cref="Changed"/> is false when the run found
/// everything already as asked and changed nothing.
/// </summary>
public sealed record EtcdSyncInstallation
{
    public required string Cluster { get; init; }

    /// <summary>The ModuleInfo's name (the platform renames it; it is found by its labels).</summary>
    public string? ModuleInfo { get; init; }

    /// <summary>The plugin's cpaas.io/module-name.</summary>
    public required string ModuleName { get; init; }

    public string? Version { get; init; }

    /// <summary>ModuleInfo status.phase (Running once installed).</summary>
    public string? Phase { get; init; }

    /// <summary>The pod holding lease etcd-sync-mirror.</summary>
    public string? LeaderPod { get; init; }

    /// <summary>When the leader logged "Start Sync update" (the pod log's timestamp).</summary>
    public DateTimeOffset? SyncStartedAt { get; init; }

    /// <summary>False when nothing had to be changed (an idempotent re-run).</summary>
    public required bool Changed { get; init; }

    /// <summary>Paths in the ModuleInfo's spec.config of the legacy plain-token keys removed after the install was verified (never their values).</summary>
    public IReadOnlyList<string> RemovedLegacyTokenKeys { get; init; } = [];

    /// <summary>True when the plugin was reinstalled so that its bootstrap job refreshed the credentials (-RefreshCredentials).</summary>
    public bool CredentialsRefreshed { get; init; }

    public override string ToString() => $"{ModuleName} {Version} on {Cluster}: {Phase}, leader {LeaderPod}";
}
