using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;

namespace GlobalUpgrade.Commands.Connection;

/// <summary>Lists the global clusters connected in this session.</summary>
[Cmdlet(VerbsCommon.Get, "GlobalCluster")]
[OutputType(typeof(GlobalCluster))]
public sealed class GetGlobalClusterCommand : GlobalUpgradeCmdlet
{
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    [Parameter]
    public ClusterRole? Role { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = (Name ?? ["*"]).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var connection in Connections.All)
        {
            if (patterns.Any(p => p.IsMatch(connection.Name)) && (Role is null || connection.Info.Role == Role))
            {
                WriteObject(connection.Info);
            }
        }

        foreach (var name in Name ?? [])
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name) && !Connections.All.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                try
                {
                    Connections.Get(name);
                }
                catch (Errors.GlobalUpgradeException ex)
                {
                    WriteFailure(ex);
                }
            }
        }
    }
}
