namespace GlobalUpgrade;

/// <summary>One step of an upgrade as Get-GlobalUpgradePlan sees it, in the documented order.</summary>
public sealed class UpgradePlanStep
{
    public int Order { get; set; }

    /// <summary>Preflight, ImageSync, UninstallEtcdSync, UpgradeStandby, UpgradePrimary, Upgrade, CheckEtcdPorts, InstallEtcdSync, VerifySync, PostChecks.</summary>
    public string Name { get; set; } = "";

    /// <summary>The cluster(s) the step works on, e.g. "standby" or "primary,standby".</summary>
    public string Cluster { get; set; } = "";

    /// <summary>True when the step would run (false when it is already done).</summary>
    public bool WouldRun { get; set; }

    /// <summary>True when what the step does is already in place (a successful image sync on record, a cluster at the target).</summary>
    public bool AlreadyDone { get; set; }

    public TimeSpan Estimate { get; set; }

    public string? Reason { get; set; }

    public override string ToString() => $"{Order}. {Name} [{Cluster}]";
}

/// <summary>The version path check of one cluster.</summary>
public sealed class UpgradePathCheck
{
    public string Cluster { get; set; } = "";

    public string FromVersion { get; set; } = "";

    public string ToVersion { get; set; } = "";

    public bool Supported { get; set; }

    /// <summary>True when the cluster already runs the target version.</summary>
    public bool AtTarget { get; set; }

    /// <summary>ClusterModule (before 4.3) or ClusterVersionShadow (4.3 and later).</summary>
    public string ComponentUpgrade { get; set; } = "";

    public string Reason { get; set; } = "";

    /// <summary>4.3+: the versions the cluster's Cluster Version Operator offers (ClusterVersionShadow status.availableUpdates), as the docs write them.</summary>
    public string[] AvailableUpdates { get; set; } = [];

    /// <summary>4.3+: the version the request would write ("4.3.0"); null when nothing offers it (yet).</summary>
    public string? RequestVersion { get; set; }
}

/// <summary>What an upgrade of a cluster or DR pair would do, without doing anything: Get-GlobalUpgradePlan.</summary>
public sealed class GlobalUpgradePlan
{
    /// <summary>Standard (one cluster) or DR (a primary and a standby).</summary>
    public string Kind { get; set; } = "Standard";

    public string Clusters { get; set; } = "";

    public string TargetVersion { get; set; } = "";

    public string? PackagePath { get; set; }

    /// <summary>True when every cluster's path to the target is supported (or it is already there).</summary>
    public bool PathSupported { get; set; }

    public UpgradePathCheck[] Paths { get; set; } = [];

    public UpgradePlanStep[] Steps { get; set; } = [];

    /// <summary>The [assumed] facts the run would use otherwise than documented (-Assumption, with a resumed journal's), by name.</summary>
    public Dictionary<string, string>? Assumptions { get; set; }

    /// <summary>The readiness summary (Test-GlobalUpgradeReadiness on the clusters): what the runbook's Preflight would block on.</summary>
    public string? Readiness { get; set; }

    /// <summary>The maintenance window in the documented order, image syncs included, for the steps that would run.</summary>
    public TimeSpan SequentialWindow { get; set; }

    /// <summary>The window when the image syncs are run before it, in parallel on every cluster.</summary>
    public TimeSpan PrestagedWindow { get; set; }

    /// <summary>How long before the window the parallel image syncs must start.</summary>
    public TimeSpan PrestageLead { get; set; }

    public override string ToString() => $"{Kind} upgrade of {Clusters} to {TargetVersion}: {Steps.Count(s => s.WouldRun)} steps, {SequentialWindow} ({PrestagedWindow} with image syncs pre-staged)";
}
