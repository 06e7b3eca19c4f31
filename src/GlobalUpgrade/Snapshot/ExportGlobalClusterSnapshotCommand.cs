using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Snapshot;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Commands.Snapshot;

/// <summary>
/// Writes the objects the module reads from the connected clusters (a DR pair: both) into one snapshot file that
/// the simulator can rehearse on. Reads only; secrets are recorded by name and keys, never values.
/// </summary>
[Cmdlet(VerbsData.Export, "GlobalClusterSnapshot", SupportsShouldProcess = true)]
[OutputType(typeof(GlobalClusterSnapshot))]
public sealed class ExportGlobalClusterSnapshotCommand : GlobalUpgradeCmdlet
{
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string[]? Cluster { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    // Piped clusters (Get-GlobalCluster | Export-...) all go into one file.
    private readonly List<string> named = [];

    protected override void ProcessRecord() => named.AddRange(Cluster ?? []);

    protected override void EndProcessing()
    {
        var connections = Require(() => Connections.Resolve(named.Count == 0 ? null : named.Distinct(StringComparer.OrdinalIgnoreCase).ToList()));
        var path = Require(() => FileInput.ToWrite(GetUnresolvedProviderPathFromPSPath(Path), "-Path", ErrorIds.SnapshotPathInvalid));
        if (!ShouldProcess(path, $"Write a snapshot of {string.Join(", ", connections.Select(c => c.Name))}"))
        {
            return;
        }

        WriteObject(Run(ct => SnapshotExporter.ExportAsync(connections, path, Engine.Assumptions.EtcdSync, ct)));
    }
}
