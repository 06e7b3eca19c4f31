using System.Management.Automation;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Commands.ImageSync;

/// <summary>
/// Runs the package's upgrade.sh in sync-only mode (<c>--only-sync-image</c>, spelled as the package's line writes it) detached on a node (or here), then follows it to the end
/// unless -Detach. Several targets piped in are started one by one and followed concurrently.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "GlobalImageSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CopySet)]
[OutputType(typeof(ImageSyncRun))]
public sealed class InvokeGlobalImageSyncCommand : RemoteCmdlet
{
    private const string CopySet = "LogCopy";
    private const string TailSet = "NoLogCopy";
    private readonly List<ImageSyncFollower.Item> started = [];
    private ImageSyncStore Store => Engine.ImageSyncs;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PackagePath { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Registry { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? RegistryCredential { get; set; }

    [Parameter]
    public SwitchParameter Detach { get; set; }

    /// <summary>Adds upgrade.sh --skip-check-artifacts (bypasses artifact validation; 4.3+ packages only).</summary>
    [Parameter]
    public SwitchParameter SkipCheckArtifacts { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ProgressPattern { get; set; } = FollowOptions.DefaultProgressPattern;

    [Parameter(ParameterSetName = CopySet)]
    [ValidateNotNullOrEmpty]
    public string? LogPath { get; set; }

    /// <summary>Over SSH: follow the run by its tail only; the full log stays in the run folder on the node.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TailSet)]
    public SwitchParameter NoLogCopy { get; set; }

    [Parameter]
    [ValidatePattern("^/.+")]
    public string RunRoot { get; set; } = DetachedRun.DefaultRoot;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _ = Require(() => HostInput.RegistryWithCredential(Registry, RegistryCredential is not null, "-Registry", "-RegistryCredential"));
        _ = Require(() => ImageSyncProgress.Parse(ProgressPattern));
    }

    protected override void ProcessRecord()
    {
        var target = BuildTarget();
        var cluster = Cluster ?? Require(DefaultCluster);
        if (Cluster is not null && Connections.All.Count > 0)
        {
            _ = Require(() => Connections.Get(Cluster)); // an unknown name would record a run nothing else finds
        }

        if (!ShouldProcess($"{PackagePath} on {target.DisplayName} (cluster {cluster})", "Sync the package's images (upgrade.sh in sync-only mode, --only-sync-image as its line spells it)"))
        {
            return;
        }

        var request = new ImageSyncRequest
        {
            Target = target,
            Cluster = cluster,
            PackagePath = PackagePath,
            Registry = Registry,
            RegistryCredential = RegistryCredential?.GetNetworkCredential(),
            SkipCheckArtifacts = SkipCheckArtifacts,
            LogPath = ResolveLogPath(),
            CopyLog = !NoLogCopy,
            RunRoot = RunRoot,
        };
        var run = Run(ct => ImageSyncService.StartAsync(request, Store, ct, Sessions));
        if (run.LogPath is { } logPath && LogPath is not null && Directory.Exists(logPath))
        {
            run.LogPath = Path.Combine(logPath, run.Id + ".log");
            Store.Save(run);
        }

        if (Detach)
        {
            WriteObject(run);
            return;
        }

        var secrets = request.RegistryCredential is { Password: { Length: > 0 } password } ? new[] { password } : [];
        started.Add(new ImageSyncFollower.Item(run, target, new FollowOptions { ProgressPattern = ProgressPattern, Secrets = secrets }));
    }

    protected override void EndProcessing()
    {
        ImageSyncFollower.FollowAll(this, started, f => Run(f), Store, Sessions);
        base.EndProcessing();
    }

    private string? ResolveLogPath() => LogPath is null ? null : GetUnresolvedProviderPathFromPSPath(LogPath);

    private string DefaultCluster()
    {
        // Nothing connected: the images are for a global cluster this session does not reach (run on its node).
        return Connections.All.Count == 0 ? "global" : Connections.Select(null, "these images are for").Name;
    }
}
