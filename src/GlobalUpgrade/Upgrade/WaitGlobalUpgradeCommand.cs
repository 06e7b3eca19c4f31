using System.Management.Automation;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Commands.Upgrade;

/// <summary>
/// Re-attaches to recorded upgrade runs (by id, or piped from Start-GlobalUpgrade / Get-GlobalUpgradeStatus): follows
/// the trigger's log from where the local copy stopped, then the component upgrade, and returns each run once it ended.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "GlobalUpgrade")]
[OutputType(typeof(GlobalUpgradeRun))]
public sealed class WaitGlobalUpgradeCommand : RemoteCmdlet
{
    private UpgradeRunStore Store => Engine.Upgrades;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    /// <summary>Give up waiting after this many seconds (the upgrade goes on); default: the trigger to its end, the components up to 2 hours.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (!TryRun(_ => Task.FromResult(Store.Get(id)), out var run))
            {
                continue;
            }

            var cluster = Connections.All.FirstOrDefault(c => string.Equals(c.Name, run.Cluster, StringComparison.OrdinalIgnoreCase));
            var options = new UpgradeWaitOptions
            {
                Target = TargetFor(run),
                Cluster = cluster,
                Timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : null,
            };
            if (TryRun(ct => UpgradeService.ContinueAsync(run, options, Store, ct), out var finished))
            {
                WriteObject(finished);
            }
        }
    }

    private RemoteTarget TargetFor(GlobalUpgradeRun run) =>
        TargetForRecorded(UpgradeService.TargetOf(run, SshCredential?.GetNetworkCredential()), run.ComputerName);
}
