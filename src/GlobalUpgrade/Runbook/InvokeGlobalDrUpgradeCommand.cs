using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Runbook;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Commands.Runbook;

/// <summary>
/// The global DR upgrade as a resumable runbook over the connected primary and standby: pre-flight, image sync on
/// both (in parallel), remove the synchronizer, upgrade the standby, then the primary, re-install and verify the
/// synchronizer, post-checks. One RunbookStep per step, streamed as it finishes; a journal to resume from.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "GlobalDrUpgrade", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RunbookStep), typeof(GlobalUpgradePlan))]
public sealed class InvokeGlobalDrUpgradeCommand : RunbookCmdlet
{
    /// <summary>The primary's control-plane node; omit to run on this machine.</summary>
    [Parameter]
    [Alias("PrimaryComputerName")]
    [ValidateNotNullOrEmpty]
    public override string? ComputerName { get; set; }

    /// <summary>The standby's control-plane node; omit to run on this machine.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyComputerName { get; set; }

    /// <summary>The extracted package on the standby's node, when it is not at -PackagePath there.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyPackagePath { get; set; }

    /// <summary>Install-EtcdSync's parameters for the re-install, as a hashtable of <see cref="EtcdSyncOptions"/>: ActiveClusterVip (required), ActiveEtcdEndpoint, StandbyEtcdEndpoint, DataCheckInterval, Version, ModuleName, Config, SkipEndpointCheck.</summary>
    [Parameter]
    [TypedOptions(nameof(EtcdSync), typeof(EtcdSyncOptions), ErrorIds.EtcdSyncOptionUnknown, ErrorIds.EtcdSyncOptionInvalid)]
    public EtcdSyncOptions? EtcdSync { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyVip { get; set; }

    /// <summary>The standby's registry, when its images go to another registry than -Registry (each cluster may have its own).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyRegistry { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? StandbyRegistryCredential { get; set; }

    [Parameter]
    [ValidateRange(10, 86400)]
    public int VerifySyncTimeoutSec { get; set; } = 900;

    /// <summary>The standby's Web Console will be used: from 4.3 the docs ask for its alternativeURLs entry only then.</summary>
    [Parameter]
    public SwitchParameter StandbyWebConsole { get; set; }

    /// <summary>On 3.16/3.18 (no /check report documented): who inspected the pair's consistency, how and when; recorded, never a pass.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConsistencyAttestation { get; set; }

    protected override (ClusterConnection Primary, ClusterConnection? Standby) ResolveClusters() =>
        (Require(() => Connections.ByRole(ClusterRole.Primary)), Require(() => Connections.ByRole(ClusterRole.Standby)));

    protected override Func<RunbookRequest, RunbookRequest> OwnInputs()
    {
        var etcdSync = Require(() => TypedOptionsAttribute.Accepted(EtcdSync)) ?? new EtcdSyncOptions();
        return shared => shared with
        {
            StandbyPackagePath = StandbyPackagePath,
            StandbyTarget = BuildTarget(StandbyComputerName),
            EtcdSync = etcdSync,
            EtcdSyncConfig = HashtableInput.ToJson(etcdSync.Config),
            StandbyVip = StandbyVip is null ? null : Require(() => HostInput.Host(StandbyVip, "-StandbyVip")),
            VerifySyncTimeout = TimeSpan.FromSeconds(VerifySyncTimeoutSec),
            StandbyRegistry = StandbyRegistry,
            StandbyRegistryCredential = StandbyRegistryCredential?.GetNetworkCredential(),
            ConsistencyAttestation = ConsistencyAttestation,
            StandbyWebConsole = StandbyWebConsole,
        };
    }
}
