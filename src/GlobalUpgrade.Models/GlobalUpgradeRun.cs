namespace GlobalUpgrade;

/// <summary>The parts of an upgrade Start-GlobalUpgrade runs: the trigger (upgrade.sh --skip-sync-image), the functional components, or both.</summary>
public enum UpgradeStage
{
    /// <summary><c>bash upgrade.sh --skip-sync-image</c> in the package folder, followed to its end.</summary>
    Trigger,

    /// <summary>The functional components: ClusterModule (before 4.3) or ClusterVersionShadow (4.3 and later).</summary>
    Components,

    /// <summary>Trigger, then Components.</summary>
    All,
}

/// <summary>Where an upgrade run stands.</summary>
public enum UpgradeRunState
{
    /// <summary>Recorded, nothing launched yet (or not yet seen launched): a resume asks the node whether the trigger ever started.</summary>
    Starting = -1,

    /// <summary>A stage runs (or ran when last seen): Wait-GlobalUpgrade re-attaches.</summary>
    Running,

    /// <summary>Every requested stage ended well (or had nothing to do).</summary>
    Succeeded,

    /// <summary>A stage failed; Message holds the platform's own reason or the script's last lines.</summary>
    Failed,
}

/// <summary>
/// One upgrade of a global cluster by Start-GlobalUpgrade. Holds nothing secret: it is saved as JSON in the local
/// state folder so that Wait-GlobalUpgrade and Get-GlobalUpgradeStatus find it again.
/// </summary>
public sealed class GlobalUpgradeRun : RecordedRun
{
    /// <summary>The connection name of the global cluster upgraded.</summary>
    public string Cluster { get; set; } = "";

    /// <summary>ProductBase <c>base</c> status.version when the run started.</summary>
    public string FromVersion { get; set; } = "";

    public string ToVersion { get; set; } = "";

    /// <summary>What was asked for: Trigger, Components or All.</summary>
    public UpgradeStage RequestedStage { get; set; } = UpgradeStage.All;

    /// <summary>The stage running now, or the last one that ran.</summary>
    public UpgradeStage Stage { get; set; } = UpgradeStage.Trigger;

    public UpgradeRunState State { get; set; }

    public string? Message { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The extracted package folder on the node (holds upgrade.sh).</summary>
    public string PackagePath { get; set; } = "";

    /// <summary>The detached run of upgrade.sh --skip-sync-image on the node (null when the trigger did not run).</summary>
    public string? TriggerRunId { get; set; }

    /// <summary>The trigger's run folder on the node: cmd, log, pid, exit.</summary>
    public string? TriggerRunFolder { get; set; }

    public int? TriggerExitCode { get; set; }

    /// <summary>True once the trigger ended with exit code 0 (or was found already done).</summary>
    public bool TriggerDone { get; set; }

    /// <summary>ClusterModule (before 4.3) or ClusterVersionShadow (4.3 and later).</summary>
    public string? ComponentUpgrade { get; set; }

    /// <summary>The object asked to upgrade, e.g. "clustermodules.cluster.alauda.io/global".</summary>
    public string? ComponentObject { get; set; }

    /// <summary>When this run wrote the component upgrade request; null when it found the request already there.</summary>
    public DateTimeOffset? ComponentRequestedAt { get; set; }

    /// <summary>Before 4.3: the cluster plugins' targets the request named, and those held ("Do not upgrade") with why.</summary>
    public string? ComponentPlugins { get; set; }

    public bool IncludeKubernetes { get; set; }

    /// <summary>-ComponentProfile overrides of the [assumed] component profile (names and values, nothing secret).</summary>
    public Dictionary<string, string?>? ComponentProfile { get; set; }

    /// <summary>True when -Force skipped the image sync guard.</summary>
    public bool Forced { get; set; }

    public TimeSpan? Duration => (FinishedAt ?? (State is UpgradeRunState.Running or UpgradeRunState.Starting ? DateTimeOffset.Now : null)) - StartedAt;

    public override string ToString() => $"{Cluster} {FromVersion} → {ToVersion}: {Stage} {State}";
}
