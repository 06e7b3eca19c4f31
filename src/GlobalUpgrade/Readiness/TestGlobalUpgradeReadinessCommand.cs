using System.Collections;
using System.Globalization;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;

namespace GlobalUpgrade.Commands.Readiness;

/// <summary>
/// Every documented pre-upgrade condition of a target version, weeks before the window, as one CheckResult per
/// condition and target (State Passed / Failed / NotChecked). Reads only; never throws for a failed condition.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "GlobalUpgradeReadiness")]
[OutputType(typeof(CheckResult))]
[OutputType(typeof(bool))]
public sealed class TestGlobalUpgradeReadinessCommand : RemoteCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string TargetVersion { get; set; } = "";

    /// <summary>The connected global clusters to check; default: every connected one.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConnectedClusterCompleter))]
    [ClusterNameTransformation]
    public string[]? Cluster { get; set; }

    /// <summary>This machine is a control-plane node of the (one) checked cluster: the node checks run here.</summary>
    [Parameter]
    public SwitchParameter Local { get; set; }

    /// <summary>A 4.3 package on the node: its upgrade.sh --preflight replaces the Cluster Version Operator's data.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PackagePath { get; set; }

    /// <summary>Replaces the documented Kubernetes prerequisite of the path: '1.31', '1.31-1.34' or '1.32+'.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubernetesVersionRange { get; set; }

    /// <summary>Replaces where the conditions look, e.g. @{ MinioPath = '/data/minio'; CostManagerModules = 'kubecost' }.</summary>
    [Parameter]
    public Hashtable? Assumption { get; set; }

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var target = Require(() => PlatformVersion.Parse(TargetVersion));
        var assumptions = Require(() => ReadinessAssumptions.Default.With(ToStrings(Assumption)));
        if (KubernetesVersionRange is not null)
        {
            _ = Require(() => KubernetesPrerequisites.Parse(KubernetesVersionRange, "?", target.Line));
        }

        var request = new ReadinessRequest(Require(() => Connections.Resolve(Cluster)), target)
        {
            Assumptions = assumptions,
            KubernetesVersionRange = KubernetesVersionRange,
            NodeAccess = Local ? NodeAccess.Local : !string.IsNullOrEmpty(ComputerName) ? NodeAccess.Named : RemoteOptionGiven ? NodeAccess.ControlPlane : NodeAccess.None,
            Node = BuildTarget(),
            PackagePath = PackagePath,
        };
        var results = Run(ct => ReadinessChecker.RunAsync(request, ct));
        if (Quiet)
        {
            WriteObject(results.Count > 0 && results.All(r => r.State == CheckState.Passed));
            return;
        }

        WriteObject(results, enumerateCollection: true);
    }

    /// <summary>A hashtable of names to values; an array value becomes a comma-separated list.</summary>
    private static Dictionary<string, string?>? ToStrings(Hashtable? table)
    {
        if (table is null)
        {
            return null;
        }

        static string? Text(object? value) => value is PSObject p ? Text(p.BaseObject)
            : value is IEnumerable list and not string ? string.Join(",", list.Cast<object?>().Select(Text))
            : Convert.ToString(value, CultureInfo.InvariantCulture);
        return table.Cast<DictionaryEntry>().ToDictionary(e => Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e => Text(e.Value), StringComparer.OrdinalIgnoreCase);
    }
}
