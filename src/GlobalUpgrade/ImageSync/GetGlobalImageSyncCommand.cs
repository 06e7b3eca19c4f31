using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.ImageSync;

namespace GlobalUpgrade.Commands.ImageSync;

/// <summary>Lists the image sync runs recorded on this machine (newest first), as they were last seen.</summary>
[Cmdlet(VerbsCommon.Get, "GlobalImageSync")]
[OutputType(typeof(ImageSyncRun))]
public sealed class GetGlobalImageSyncCommand : GlobalUpgradeCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Cluster { get; set; }

    [Parameter]
    public ImageSyncState[]? State { get; set; }

    protected override void ProcessRecord()
    {
        var runs = Run(_ => Task.FromResult(Engine.ImageSyncs.List()));
        var ids = Patterns(Id);
        var clusters = Patterns(Cluster);
        var found = false;
        foreach (var run in runs)
        {
            if ((ids is null || ids.Any(p => p.IsMatch(run.Id)))
                && (clusters is null || clusters.Any(p => p.IsMatch(run.Cluster)))
                && (State is null || State.Contains(run.State)))
            {
                found = true;
                WriteObject(run);
            }
        }

        // A literal id that matches nothing is an error, as Get-Process -Id does; a wildcard is not.
        if (!found && Id is { Length: > 0 } && !Id.Any(WildcardPattern.ContainsWildcardCharacters))
        {
            WriteFailure(new GlobalUpgrade.Errors.GlobalUpgradeException(GlobalUpgrade.Errors.ErrorIds.ImageSyncNotFound,
                GlobalUpgrade.Errors.FailureCategory.ObjectNotFound, $"No image sync run '{string.Join("', '", Id)}' is recorded in {Engine.ImageSyncs.RunsFolder}.", Id));
        }
    }

    private static WildcardPattern[]? Patterns(string[]? values) =>
        values?.Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase)).ToArray();
}
