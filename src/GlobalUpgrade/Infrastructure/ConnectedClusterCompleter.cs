using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using GlobalUpgrade.Session;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>Tab-completes -Cluster with the names of this session's connections.</summary>
public sealed class ConnectedClusterCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ConnectionRegistry.ForSession(Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty).All
            .Where(c => c.Name.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
            .Select(c => new CompletionResult(c.Name, c.Name, CompletionResultType.ParameterValue, $"{c.Info.Role} {c.Info.Server} {c.Info.PlatformVersion}"));
}
