namespace GlobalUpgrade.Simulator;

/// <summary>How to start an <see cref="AcpSimulator"/>.</summary>
public sealed class SimulatorOptions
{
    /// <summary>True: two clusters, <c>primary</c> and <c>standby</c>; false: one cluster, <c>global</c>.</summary>
    public bool Dr { get; set; }

    /// <summary>A scenario name (<c>Scenarios/&lt;name&gt;.yaml</c> beside the assembly) or a path to a .yaml/.json file.</summary>
    public string Scenario { get; set; } = "healthy";

    /// <summary>A snapshot file (Export-GlobalClusterSnapshot) to seed the clusters from instead of <see cref="Scenario"/>; its clusters decide <see cref="Dr"/>.</summary>
    public string SnapshotPath { get; set; } = "";

    /// <summary>Where to write the kubeconfig; a temporary file when empty.</summary>
    public string KubeconfigPath { get; set; } = "";

    /// <summary>A factor applied to every scenario duration (0.1 makes the controllers ten times faster).</summary>
    public double TimeScale { get; set; } = 1.0;

    /// <summary>
    /// How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK event. A real API server's watch cache
    /// sends one about every minute (and when the watch times out), so a client cannot count on fresh bookmarks to
    /// stay ahead of compaction.
    /// </summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many store events each cluster keeps for resuming watches and reading older list pages; older ones are
    /// compacted and answer 410 Expired. Small values make 410 common, as on a busy real cluster (also
    /// <c>--watch-history</c> and <c>PUT /_sim/watch-history</c>).
    /// </summary>
    public int WatchHistoryLimit { get; set; } = Store.ObjectStore.DefaultHistoryLimit;
}
