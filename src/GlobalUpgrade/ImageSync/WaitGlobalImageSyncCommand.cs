using System.Management.Automation;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.Commands.ImageSync;

/// <summary>
/// Re-attaches to recorded image sync runs (by id, or piped from Invoke-/Get-GlobalImageSync), follows their logs
/// from where the local copy stopped, and returns each run once it ended.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "GlobalImageSync")]
[OutputType(typeof(ImageSyncRun))]
public sealed class WaitGlobalImageSyncCommand : RemoteCmdlet
{
    private readonly List<ImageSyncFollower.Item> items = [];
    private ImageSyncStore Store => Engine.ImageSyncs;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    /// <summary>Give up following after this many seconds (the run goes on); default: wait to the end.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ProgressPattern { get; set; } = FollowOptions.DefaultProgressPattern;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _ = Require(() => ImageSyncProgress.Parse(ProgressPattern));
    }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (items.Any(i => i.Run.Id == id))
            {
                continue;
            }

            if (!TryRun(_ => Task.FromResult(Store.Get(id)), out var run))
            {
                continue;
            }

            var target = TargetFor(run);
            items.Add(new ImageSyncFollower.Item(run, target, new FollowOptions
            {
                ProgressPattern = ProgressPattern,
                Timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : null,
            }));
        }
    }

    protected override void EndProcessing()
    {
        ImageSyncFollower.FollowAll(this, items, f => Run(f), Store, Sessions);
        base.EndProcessing();
    }

    private RemoteTarget TargetFor(ImageSyncRun run) =>
        TargetForRecorded(ImageSyncService.TargetOf(run, SshCredential?.GetNetworkCredential()), run.ComputerName);
}
