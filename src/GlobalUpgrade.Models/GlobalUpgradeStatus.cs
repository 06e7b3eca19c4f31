namespace GlobalUpgrade;

/// <summary>The upgrade state of one global cluster as read from it now, with the last run recorded on this machine.</summary>
public sealed class GlobalUpgradeStatus
{
    public string Cluster { get; set; } = "";

    /// <summary>ProductBase <c>base</c> status.version.</summary>
    public string? PlatformVersion { get; set; }

    /// <summary>ProductBase <c>base</c> status.phase.</summary>
    public string? PlatformPhase { get; set; }

    /// <summary>ClusterModule or ClusterVersionShadow: what carries the functional components on this cluster.</summary>
    public string? ComponentUpgrade { get; set; }

    /// <summary>The version the components were asked for (ClusterModule spec.version, CVSH spec.desiredUpdate.version).</summary>
    public string? DesiredVersion { get; set; }

    /// <summary>The version the components run (ClusterModule status.base.version; CVSH the last Completed history entry).</summary>
    public string? ComponentVersion { get; set; }

    /// <summary>"Completed/Healthy", "Upgrading", "DeployFailed", "Ready", "Reconciling", "Stalled", ….</summary>
    public string? ComponentState { get; set; }

    /// <summary>The platform's own reason when something is wrong (unableUpgradeReason, the Stalled condition, failed preflight checks).</summary>
    public string? Reason { get; set; }

    /// <summary>The newest Start-GlobalUpgrade run recorded for this cluster on this machine.</summary>
    public GlobalUpgradeRun? LastRun { get; set; }

    public DateTimeOffset ReadAt { get; set; }
}
