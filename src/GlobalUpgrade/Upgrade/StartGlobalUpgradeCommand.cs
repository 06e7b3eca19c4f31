using System.Collections;
using System.Globalization;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Commands.Upgrade;

/// <summary>
/// Upgrades a global cluster with an extracted upgrade package: checks the version path, that it is a global cluster
/// and that the package's images were synced for it (before any change), runs <c>upgrade.sh --skip-sync-image</c>
/// on the node (or here), then upgrades the functional components and waits for them.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "GlobalUpgrade", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(GlobalUpgradeRun))]
public sealed class StartGlobalUpgradeCommand : RemoteCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PackagePath { get; set; } = "";

    /// <summary>The connected global cluster to upgrade; default: the only connected one.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    /// <summary>The version to upgrade to; default: the first line of the package's 'version' file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetVersion { get; set; }

    [Parameter]
    public UpgradeStage Stage { get; set; } = UpgradeStage.All;

    /// <summary>Upgrade without a successful image sync on record (and run -Stage Components without a recorded trigger).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return once the trigger runs detached on the node; Wait-GlobalUpgrade follows it.</summary>
    [Parameter]
    public SwitchParameter Detach { get; set; }

    /// <summary>Stop waiting after this many seconds (the upgrade goes on). Default: the trigger to its end, the components up to 2 hours.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; }

    /// <summary>Corrects [assumed] facts by name (PlatformAssumptions), e.g. the component upgrade's write: @{ ClusterModuleName = 'global'; ClusterModuleVersionField = 'spec.version' }. -ComponentProfile is its older name.</summary>
    [Parameter]
    [Alias("ComponentProfile")]
    public Hashtable? Assumption { get; set; }

    [Parameter]
    [ValidatePattern("^/.+")]
    public string RunRoot { get; set; } = DetachedRun.DefaultRoot;

    protected override IReadOnlyDictionary<string, string?>? AssumptionOverrides => HashtableInput.ToAssumptions(Assumption);

    protected override void ProcessRecord()
    {
        var connection = Require(() => Connections.Select(Cluster, "to upgrade"));
        var overrides = Engine.Assumptions.ComponentOverrides;
        var target = BuildTarget();
        if (TargetVersion is not null)
        {
            _ = Require(() => PlatformVersion.Parse(TargetVersion)); // -WhatIf too: a typo is refused, not previewed
        }

        var version = TargetVersion ?? "the version in the package's 'version' file";
        if (!ShouldProcess($"global cluster '{connection.Name}' ({connection.Info.PlatformVersion} → {version}) with {PackagePath} on {target.DisplayName}",
                Stage switch
                {
                    UpgradeStage.Trigger => "Trigger the upgrade (bash upgrade.sh --skip-sync-image)",
                    UpgradeStage.Components => "Upgrade the functional components",
                    _ => "Upgrade (bash upgrade.sh --skip-sync-image, then the functional components)",
                }))
        {
            return;
        }

        var request = new UpgradeRequest
        {
            Target = target,
            Cluster = connection,
            PackagePath = PackagePath,
            TargetVersion = TargetVersion,
            Stage = Stage,
            Force = Force,
            Detach = Detach,
            Timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : null,
            ProfileOverrides = overrides,
            RunRoot = RunRoot,
            SyncStore = Engine.ImageSyncs,
        };
        WriteObject(Run(ct => UpgradeService.StartAsync(request, Engine.Upgrades, ct)));
    }
}
