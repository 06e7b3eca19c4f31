using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using GlobalUpgrade.Runbook;

namespace GlobalUpgrade.Commands.Runbook;

/// <summary>
/// -PauseBefore's values: the step names of the runbooks as <see cref="UpgradeRunbooks.Define"/> makes them, so
/// the list cannot drift from what runs. (ValidateSet with an IValidateSetValuesGenerator would be the usual form;
/// PowerShellStandard.Library 5.1, which the cmdlets compile against, does not have it: this validator and
/// completer read the same list instead.)
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateRunbookStepAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected override void ValidateElement(object element)
    {
        var name = (element is PSObject p ? p.BaseObject : element)?.ToString();
        if (!UpgradeRunbooks.StepNames.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new ValidationMetadataException($"'{name}' is not a runbook step. Steps: {string.Join(", ", UpgradeRunbooks.StepNames)}.");
        }
    }
}

/// <summary>Tab-completes -PauseBefore with the runbooks' step names.</summary>
public sealed class RunbookStepCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        UpgradeRunbooks.StepNames
            .Where(n => n.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
}
