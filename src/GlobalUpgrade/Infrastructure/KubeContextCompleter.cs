using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>Tab-completes -Context from the kubeconfig the command would use.</summary>
public sealed class KubeContextCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var kubeconfig = fakeBoundParameters?["Kubeconfig"]?.ToString();
        return KubeconfigReader.TryListContexts(kubeconfig)
            .Where(name => name.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
            .Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name));
    }
}
