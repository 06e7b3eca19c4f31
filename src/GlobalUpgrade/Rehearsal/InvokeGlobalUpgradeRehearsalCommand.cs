using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Rehearsal;
using GlobalUpgrade.Session;

namespace GlobalUpgrade.Commands.Rehearsal;

/// <summary>
/// Rehearses the upgrade on a snapshot: starts the simulator from it, runs Test-GlobalUpgradeReadiness and the whole
/// runbook (DR or standard, by what the snapshot holds) with a stand-in package in a private runspace whose only
/// connections are the simulator's, and writes a report whose first section lists the findings. The session's own
/// connections are neither used nor changed.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "GlobalUpgradeRehearsal", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(GlobalUpgradeRehearsal))]
public sealed class InvokeGlobalUpgradeRehearsalCommand : GlobalUpgradeCmdlet
{
    private PowerShell? rehearsal;

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string SnapshotPath { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string TargetVersion { get; set; } = "";

    /// <summary>The folder for the journal, the stand-in packages and the report; a new temporary folder when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>GlobalUpgrade.Simulator.dll; else $GLOBALUPGRADE_SIMULATOR, else the copy in the module's Simulator folder.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SimulatorPath { get; set; }

    /// <summary>Invoke-GlobalDrUpgrade's -StandbyVip (DR only).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyVip { get; set; }

    /// <summary>Invoke-GlobalDrUpgrade's -EtcdSync (DR only); its endpoint check is always skipped: the simulator has no etcd.</summary>
    [Parameter]
    public Hashtable? EtcdSync { get; set; }

    [Parameter]
    [ValidateRange(60, 86400)]
    public int StepTimeoutSec { get; set; } = 1800;

    /// <summary>The simulator's clock speed (below 1: faster than real ACP).</summary>
    [Parameter]
    [ValidateRange(0.01, 10)]
    public double TimeScale { get; set; } = 0.1;

    protected override void ProcessRecord()
    {
        _ = Require(() => PlatformVersion.Parse(TargetVersion));
        var snapshotPath = GetUnresolvedProviderPathFromPSPath(SnapshotPath);
        var snapshot = Require(() => RehearsalSnapshot.Read(snapshotPath));
        var moduleDirectory = MyInvocation.MyCommand.Module?.ModuleBase ?? System.IO.Path.GetDirectoryName(typeof(InvokeGlobalUpgradeRehearsalCommand).Assembly.Location)!;
        // It changes nothing real, but starts a simulator and writes files: -WhatIf stops here.
        if (!ShouldProcess(snapshotPath, $"Rehearse the upgrade to {TargetVersion} on the simulator"))
        {
            return;
        }

        var simulatorPath = Require(() => RehearsalSimulator.Locate(SimulatorPath is null ? null : GetUnresolvedProviderPathFromPSPath(SimulatorPath), moduleDirectory));
        var work = OutputPath is null
            ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"globalupgrade-rehearsal-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("n")[..6]}")
            : GetUnresolvedProviderPathFromPSPath(OutputPath);
        Directory.CreateDirectory(work);
        var output = OutputPath is null
            ? RehearsalOutput.InCurrentFolder(SessionState.Path.CurrentFileSystemLocation.ProviderPath, TargetVersion, DateTimeOffset.UtcNow)
            : RehearsalOutput.In(work);
        WriteVerbose($"Rehearsal folder: {work}; journal {output.JournalPath}; report {output.ReportPath}");

        using var simulator = Run(ct => RehearsalSimulator.StartAsync(simulatorPath, snapshot, TargetVersion, work, TimeScale, TimeSpan.FromSeconds(60), ct));
        var findings = new List<RehearsalFinding>(simulator.Findings);
        var template = StandInPackage.TemplateDirectory(moduleDirectory);
        var packages = snapshot.Contexts.ToDictionary(c => c.Context, c => Require(() => StandInPackage.Prepare(template, work, simulator.KubeconfigPath, c.Context, TargetVersion)));
        var plan = RehearsalPlan.Build(snapshot, TargetVersion, packages, work, output.JournalPath, StandbyVip, EtcdSync, StepTimeoutSec);
        findings.AddRange(plan.Assumptions);

        var (readiness, steps) = RunInPrivateRunspace(simulator.KubeconfigPath, snapshot, plan, findings, System.IO.Path.Combine(work, "state"));

        findings.AddRange(RehearsalPlan.ReadinessFindings(readiness));
        var reportPath = output.ReportPath;
        if (File.Exists(plan.JournalPath))
        {
            Require(() => RehearsalReport.Write(plan.JournalPath, reportPath, findings));
        }
        else
        {
            reportPath = "";
        }

        WriteObject(new GlobalUpgradeRehearsal
        {
            SnapshotPath = snapshotPath,
            TargetVersion = TargetVersion,
            Runbook = plan.Runbook,
            Completed = steps.Count > 0 && steps.All(s => s.State is StepState.Succeeded or StepState.Skipped),
            Steps = steps,
            Readiness = readiness,
            Findings = findings,
            JournalPath = plan.JournalPath,
            ReportPath = reportPath,
        });
    }

    protected override void StopProcessing()
    {
        rehearsal?.Stop();
        base.StopProcessing();
    }

    /// <summary>
    /// The readiness checks and the runbook in a runspace of their own: its connection registry holds only the
    /// simulator's clusters, so the session's connections are untouched and no command can reach a real cluster; and
    /// its state folder is the rehearsal's, so the runbook neither finds the operator's run records (by cluster name
    /// and version) nor leaves its own among them.
    /// </summary>
    private (List<CheckResult> Readiness, List<RunbookStep> Steps) RunInPrivateRunspace(string kubeconfig, RehearsalSnapshot snapshot, RehearsalPlan plan, List<RehearsalFinding> findings, string stateFolder)
    {
        var manifest = System.IO.Path.Combine(MyInvocation.MyCommand.Module?.ModuleBase ?? "", "GlobalUpgrade.psd1");
        using var runspace = RunspaceFactory.CreateRunspace();
        runspace.Open();
        using var state = StateFolder.Assign(runspace.InstanceId, Directory.CreateDirectory(stateFolder).FullName);
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        rehearsal = ps;
        ps.AddScript(RehearsalPlan.Script)
            .AddParameter("Module", File.Exists(manifest) ? manifest : typeof(InvokeGlobalUpgradeRehearsalCommand).Assembly.Location)
            .AddParameter("Kubeconfig", kubeconfig)
            .AddParameter("Contexts", snapshot.Contexts.Select(c => new Hashtable { ["Context"] = c.Context, ["Role"] = c.Role }).ToArray())
            .AddParameter("TargetVersion", TargetVersion)
            .AddParameter("Runbook", plan.Runbook)
            .AddParameter("Parameters", plan.Parameters);
        var output = ps.Invoke();
        rehearsal = null;
        foreach (var verbose in ps.Streams.Verbose)
        {
            WriteVerbose(verbose.Message);
        }

        foreach (var warning in ps.Streams.Warning)
        {
            WriteWarning(warning.Message);
        }

        foreach (var error in ps.Streams.Error)
        {
            findings.Add(new RehearsalFinding("Runbook", error.TargetObject is RunbookStep step ? step.Cluster : "", error.FullyQualifiedErrorId.Split(',')[0], error.Exception.Message));
        }

        return (output.Select(o => o.BaseObject).OfType<CheckResult>().ToList(), output.Select(o => o.BaseObject).OfType<RunbookStep>().ToList());
    }
}
