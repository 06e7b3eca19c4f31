namespace GlobalUpgrade.Runbook;

/// <summary>Which of a runbook's clusters a step works on.</summary>
public enum ClusterSlot
{
    /// <summary>The primary of a DR pair, or the one cluster of the standard runbook.</summary>
    Primary,
    Standby,
}

/// <summary>
/// What decides a runbook's steps: DR or standard, the clusters' names, and where the etcd synchronizer lives
/// (by the version the clusters ran when the runbook began). The runner and the plan both build the steps from it.
/// </summary>
public sealed record RunbookShape(string Primary, string? Standby, ClusterRole EtcdSyncHost)
{
    public bool IsDr => Standby is not null;

    /// <summary>"GlobalDrUpgrade" or "GlobalUpgrade", as the journal names it.</summary>
    public string Runbook => IsDr ? UpgradeRunbooks.DrRunbook : UpgradeRunbooks.StandardRunbook;

    public IReadOnlyList<ClusterSlot> All => IsDr ? [ClusterSlot.Primary, ClusterSlot.Standby] : [ClusterSlot.Primary];

    public ClusterSlot EtcdSyncSlot => EtcdSyncHost == ClusterRole.Standby ? ClusterSlot.Standby : ClusterSlot.Primary;

    public string NameOf(ClusterSlot slot) => slot == ClusterSlot.Standby
        ? Standby ?? throw new InvalidOperationException("A standard runbook has no standby.")
        : Primary;

    public static RunbookShape Standard(string cluster) => new(cluster, null, ClusterRole.Standalone);

    public static RunbookShape Dr(string primary, string standby, Platform.PlatformProfile source) => new(primary, standby, source.EtcdSyncHost);

    public static RunbookShape Of(RunbookRequest request, Platform.PlatformProfile source) =>
        request.Standby is null ? Standard(request.Primary.Name) : Dr(request.Primary.Name, request.Standby.Name, source);
}
