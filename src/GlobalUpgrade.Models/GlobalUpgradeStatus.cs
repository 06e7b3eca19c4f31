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

    /// <summary>The version the components run (ClusterModule status.base.version; CVSH status.current.version).</summary>
    public string? ComponentVersion { get; set; }

    /// <summary>"Completed/Healthy", "Upgrading", "DeployFailed", "Ready", "Reconciling", "Stalled", ….</summary>
    public string? ComponentState { get; set; }

    /// <summary>The platform's own reason when something is wrong (unableUpgradeReason, the Stalled or Degraded condition, failed preflight checks).</summary>
    public string? Reason { get; set; }

    /// <summary>4.3+: the version the Cluster Version Operator works towards (CVSH status.desired.version).</summary>
    public string? OperatorDesiredVersion { get; set; }

    /// <summary>4.3+: CVSH status.conditions as "Type=Status (Reason)" (PreflightReady, Ready, Reconciling, Stalled, Degraded).</summary>
    public string[] Conditions { get; set; } = [];

    /// <summary>4.3+: Passed (every check passed), NotPassed (a check is Retry or Failed) or NoResultYet (no preflight data: never passed).</summary>
    public string? Preflight { get; set; }

    /// <summary>4.3+: preflight checks in state Failed, as "Name: Failed Reason - Message".</summary>
    public string[] FailedChecks { get; set; } = [];

    /// <summary>4.3+: preflight checks in state Retry (no final result yet).</summary>
    public string[] RetryingChecks { get; set; } = [];

    /// <summary>4.3+: the stage in phase Running (CVSH status.stages[]), if any.</summary>
    public string? RunningStage { get; set; }

    /// <summary>4.3+: the versions in CVSH status.availableUpdates.</summary>
    public string[] AvailableUpdates { get; set; } = [];

    /// <summary>The newest Start-GlobalUpgrade run recorded for this cluster on this machine.</summary>
    public GlobalUpgradeRun? LastRun { get; set; }

    public DateTimeOffset ReadAt { get; set; }
}
