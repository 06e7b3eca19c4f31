using System.Collections;

namespace GlobalUpgrade.Rehearsal;

/// <summary>
/// Which runbook a rehearsal runs and with which parameters: the operator's, completed with stand-in packages and,
/// where the operator gave none, values the rehearsal assumes, each reported as a finding.
/// </summary>
public sealed record RehearsalPlan(string Runbook, string JournalPath, Hashtable Parameters, IReadOnlyList<RehearsalFinding> Assumptions)
{
    /// <summary>
    /// The primary's VIP assumed when the operator gave none: TEST-NET-1 (RFC 5737), never routed, so nothing real
    /// can answer. The synchronizer's re-install needs a value; the real run needs the operator's.
    /// </summary>
    public const string AssumedActiveClusterVip = "192.0.2.10";

    /// <summary>Runs in the rehearsal's own runspace: connect to the simulator only, check readiness, run the runbook.</summary>
    public const string Script = """
        param($Module, $Kubeconfig, $Contexts, $TargetVersion, $Runbook, $Parameters)
        $VerbosePreference = 'Continue'
        $ProgressPreference = 'SilentlyContinue'
        $ConfirmPreference = 'None'
        try {
            Import-Module $Module -ErrorAction Stop
            foreach ($c in $Contexts) { $null = Connect-GlobalCluster -Kubeconfig $Kubeconfig -Context $c.Context -Role $c.Role -ErrorAction Stop }
        }
        catch { Write-Error -ErrorRecord $_; return }
        Test-GlobalUpgradeReadiness -TargetVersion $TargetVersion
        & $Runbook @Parameters
        Get-GlobalCluster | Disconnect-GlobalCluster
        """;

    /// <summary>The plan; its run folders are kept in <paramref name="workDirectory"/>, never in the operator's; its journal is <paramref name="journalPath"/>.</summary>
    public static RehearsalPlan Build(RehearsalSnapshot snapshot, string targetVersion, IReadOnlyDictionary<string, string> packages, string workDirectory, string journalPath, string? standbyVip, Hashtable? etcdSync, int stepTimeoutSec)
    {
        var assumptions = new List<RehearsalFinding>();
        var parameters = new Hashtable
        {
            ["TargetVersion"] = targetVersion,
            ["JournalPath"] = journalPath,
            ["StepTimeoutSec"] = stepTimeoutSec,
            // The stand-in upgrade.sh runs on this machine: in the rehearsal's folder, writable without root.
            ["RunRoot"] = Path.Combine(workDirectory, "runs"),
        };
        assumptions.Add(new("Rehearsal", "", "StandInPackage", "The upgrade ran a stand-in package (the module's upgrade.sh), not the vendor's: image sync and the package's own checks were not rehearsed."));
        if (Platform.PlatformLine.Of(targetVersion)?.GlobalKubernetesMinor is { } kubernetes)
        {
            // The simulator plays no Kubernetes upgrade (no page gives its request), so PostChecks' check of it is waived here only.
            parameters["SkipReadinessCheck"] = new[] { Readiness.ReadinessCheckNames.KubernetesVersionUpgraded };
            assumptions.Add(new("Rehearsal", "", "KubernetesUpgradeNotRehearsed", $"The global cluster's Kubernetes upgrade (to 1.{kubernetes}, required in the same window) was not rehearsed: the simulator keeps the snapshot's Kubernetes, so PostChecks' {Readiness.ReadinessCheckNames.KubernetesVersionUpgraded} was waived. The real run checks it."));
        }

        if (!snapshot.IsDr)
        {
            parameters["PackagePath"] = packages["global"];
            return new RehearsalPlan("Invoke-GlobalUpgrade", journalPath, parameters, assumptions);
        }

        parameters["PackagePath"] = packages["primary"];
        parameters["StandbyPackagePath"] = packages["standby"];
        var options = etcdSync is null ? new Hashtable(StringComparer.OrdinalIgnoreCase) : new Hashtable(etcdSync, StringComparer.OrdinalIgnoreCase);
        if (options["ActiveClusterVip"] is null)
        {
            // A control-plane node of the primary reaches its etcd directly; without one in the snapshot, an address
            // that routes nowhere, so the synchronizer visibly never connects.
            var assumed = snapshot.PrimaryControlPlaneAddress ?? AssumedActiveClusterVip;
            options["ActiveClusterVip"] = assumed;
            assumptions.Add(new("Rehearsal", "primary", "AssumedActiveClusterVip", snapshot.PrimaryControlPlaneAddress is null
                ? $"No -EtcdSync @{{ ActiveClusterVip = ... }} was given; the rehearsal assumed {AssumedActiveClusterVip}. Pass the primary's VIP to the real run."
                : $"No -EtcdSync @{{ ActiveClusterVip = ... }} was given; the rehearsal used {assumed}, a control-plane node of the primary in the snapshot, whose etcd the synchronizer can reach directly. Pass the primary's VIP (or its etcd addresses) to the real run."));
        }

        // The simulator has no etcd: the endpoint check would only reach whatever the given addresses are.
        options["SkipEndpointCheck"] = true;
        assumptions.Add(new("Rehearsal", "", "EtcdEndpointsNotChecked", "The etcd endpoints were not checked (the simulator has no etcd); the real run checks them."));
        parameters["EtcdSync"] = options;
        if (standbyVip is not null)
        {
            parameters["StandbyVip"] = standbyVip;
        }

        return new RehearsalPlan("Invoke-GlobalDrUpgrade", journalPath, parameters, assumptions);
    }

    /// <summary>Every readiness check that did not pass, as a finding.</summary>
    public static IEnumerable<RehearsalFinding> ReadinessFindings(IEnumerable<CheckResult> checks) =>
        checks.Where(c => c.State != CheckState.Passed)
            .Select(c => new RehearsalFinding("Readiness", c.Target, c.Check, c.Message));
}
