using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.Upgrade;

/// <summary>What Start-GlobalUpgrade (or a runbook step) asks for.</summary>
public sealed record UpgradeRequest
{
    public required RemoteTarget Target { get; init; }

    public required ClusterConnection Cluster { get; init; }

    /// <summary>The extracted package folder on the node (holds upgrade.sh and 'version').</summary>
    public required string PackagePath { get; init; }

    /// <summary>The target; null reads the package's 'version' file.</summary>
    public string? TargetVersion { get; init; }

    public UpgradeStage Stage { get; init; } = UpgradeStage.All;

    /// <summary>Skip the image sync guard (and the "trigger first" guard of -Stage Components).</summary>
    public bool Force { get; init; }

    /// <summary>Return once the trigger runs detached (Wait-GlobalUpgrade follows it).</summary>
    public bool Detach { get; init; }

    /// <summary>Give up waiting after this long (the upgrade goes on); null: no limit for the trigger, <see cref="ComponentUpgrade.DefaultTimeout"/> for the components.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Overrides of the [assumed] component profile values, by name (ComponentUpgradeProfile.OverridableNames).</summary>
    public IReadOnlyDictionary<string, string?>? ProfileOverrides { get; init; }

    public string RunRoot { get; init; } = DetachedRun.DefaultRoot;

    /// <summary>Where successful image syncs are looked up (the engine context's store).</summary>
    public required ImageSyncStore SyncStore { get; init; }
}

/// <summary>How Wait-GlobalUpgrade (or a resumed runbook step) continues a recorded run.</summary>
public sealed record UpgradeWaitOptions
{
    public required RemoteTarget Target { get; init; }

    /// <summary>The run's cluster, when connected (needed for the component stage only).</summary>
    public ClusterConnection? Cluster { get; init; }

    public TimeSpan? Timeout { get; init; }

    /// <summary>What the caller's user does to try again (a runbook says -Resume), for messages about a run that cannot go on.</summary>
    public string RetryAdvice { get; init; } = StandaloneRetryAdvice;

    public const string StandaloneRetryAdvice = "Run Start-GlobalUpgrade again: it starts the trigger once.";

    public const string RunbookRetryAdvice = "Run the runbook again with -Resume: it starts the trigger once.";
}
