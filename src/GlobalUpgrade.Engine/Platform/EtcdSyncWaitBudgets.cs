namespace GlobalUpgrade.Platform;

/// <summary>The waits of the synchronizer's start, each named after what the docs tell the operator to watch.</summary>
public enum EtcdSyncPhase
{
    /// <summary>[doc release-4.3 DRI "Step 3: Enable etcd Synchronization"] tab 4.3.1+: job etcd-sync-bootstrap runs before the deployment starts.</summary>
    BootstrapJob,

    /// <summary>The plugin's ModuleInfo Running at the version asked (the console's "Installed").</summary>
    ModuleInfoRunning,

    /// <summary>[doc release-4.1 UGC "Reinstall the etcd sync plugin"]: "Ensure pod is 1/1 Running"; release-4.3 DRI: "Verify the sync Pods are running".</summary>
    PodReady,

    /// <summary>[doc release-4.3 DRI "Step 3"]: "Wait until … etcd-sync-mirror … holderIdentity returns a non-empty value".</summary>
    LeaseHolder,

    /// <summary>[doc release-4.3 DRI "Step 3"]; release-4.1 UGC: "Wait until the logs contain "Start Sync update"".</summary>
    SyncStarted,
}

/// <summary>
/// [assumed] How long each wait of the synchronizer's start may take before it is reported as stalled (the docs say
/// "wait until", never how long). A synchronizer that cannot reach the active cluster (wrong endpoint, rejected token,
/// 2379 not forwarded) stalls in <see cref="EtcdSyncPhase.SyncStarted"/> within minutes, not within a runbook step's
/// hours. Each is replaced through -Assumption @{ EtcdSyncStartTimeout = '90s' } ('00:05:00', '5m', '90s' or minutes).
/// </summary>
public sealed record EtcdSyncWaitBudgets
{
    public TimeSpan BootstrapJob { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan ModuleInfoRunning { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan PodReady { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan LeaseHolder { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan SyncStarted { get; init; } = TimeSpan.FromMinutes(5);

    private static readonly Dictionary<string, EtcdSyncPhase> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EtcdSyncBootstrapJobTimeout"] = EtcdSyncPhase.BootstrapJob,
        ["EtcdSyncModuleInfoTimeout"] = EtcdSyncPhase.ModuleInfoRunning,
        ["EtcdSyncPodReadyTimeout"] = EtcdSyncPhase.PodReady,
        ["EtcdSyncLeaseTimeout"] = EtcdSyncPhase.LeaseHolder,
        ["EtcdSyncStartTimeout"] = EtcdSyncPhase.SyncStarted,
    };

    /// <summary>The names -Assumption takes for these budgets.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>The -Assumption name of a phase's budget (for messages: what to raise).</summary>
    public static string NameOf(EtcdSyncPhase phase) => ByName.First(p => p.Value == phase).Key;

    public TimeSpan Of(EtcdSyncPhase phase) => phase switch
    {
        EtcdSyncPhase.BootstrapJob => BootstrapJob,
        EtcdSyncPhase.ModuleInfoRunning => ModuleInfoRunning,
        EtcdSyncPhase.PodReady => PodReady,
        EtcdSyncPhase.LeaseHolder => LeaseHolder,
        EtcdSyncPhase.SyncStarted => SyncStarted,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    /// <summary>
    /// The longest an install may take when every wait uses its whole budget: the bootstrap job, the ModuleInfo, a pod,
    /// then the leader (lease, pod, log line) twice (before and after the one documented restart of the leader).
    /// </summary>
    public TimeSpan InstallTotal(bool hasBootstrapJob) =>
        (hasBootstrapJob ? BootstrapJob : TimeSpan.Zero) + ModuleInfoRunning + PodReady + (2 * (LeaseHolder + PodReady + SyncStarted)) + ModuleInfoRunning;

    /// <summary>These budgets with one replaced; false when <paramref name="name"/> is not one of <see cref="Names"/>.</summary>
    public bool TryWith(string name, string value, out EtcdSyncWaitBudgets result)
    {
        result = this;
        if (!ByName.TryGetValue(name, out var phase))
        {
            return false;
        }

        var span = AssumedDuration.Parse(name, value);
        result = phase switch
        {
            EtcdSyncPhase.BootstrapJob => this with { BootstrapJob = span },
            EtcdSyncPhase.ModuleInfoRunning => this with { ModuleInfoRunning = span },
            EtcdSyncPhase.PodReady => this with { PodReady = span },
            EtcdSyncPhase.LeaseHolder => this with { LeaseHolder = span },
            _ => this with { SyncStarted = span },
        };
        return true;
    }
}
