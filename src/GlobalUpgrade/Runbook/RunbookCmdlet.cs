using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Commands.Remote;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Runbook;
using GlobalUpgrade.Upgrade;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Commands.Runbook;

/// <summary>
/// What both runbooks share: the package, the target, the journal (-JournalPath, -Resume), human gates
/// (-PauseBefore), -WhatIf as a plan, and the loop that runs one step group at a time and streams its records.
/// </summary>
public abstract class RunbookCmdlet : RemoteCmdlet
{
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string PackagePath { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string TargetVersion { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Registry { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? RegistryCredential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>The image sync adds upgrade.sh --skip-check-artifacts (bypasses artifact validation; 4.3+ targets only).</summary>
    [Parameter]
    public SwitchParameter SkipCheckArtifacts { get; set; }

    /// <summary>Resume even though the inputs differ from the journal's.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Steps before which to stop and ask (a human gate), e.g. UpgradePrimary.</summary>
    [Parameter]
    [ValidateRunbookStep]
    [ArgumentCompleter(typeof(RunbookStepCompleter))]
    public string[]? PauseBefore { get; set; }

    /// <summary>Overrides of the time estimates shown by -WhatIf, by step name (minutes, TimeSpan or '2h').</summary>
    [Parameter]
    public Hashtable? Estimate { get; set; }

    [Parameter]
    [ValidateRange(60, 86400)]
    public int StepTimeoutSec { get; set; } = 3 * 3600;

    /// <summary>The folder on each node that holds the image sync and upgrade run folders (as Invoke-GlobalImageSync -RunRoot).</summary>
    [Parameter]
    [ValidatePattern("^/.+")]
    public string RunRoot { get; set; } = DetachedRun.DefaultRoot;

    /// <summary>Readiness conditions (Check names, e.g. CostManagerAbsent) whose Failed result does not stop Preflight; recorded in the journal and the report.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? SkipReadinessCheck { get; set; }

    /// <summary>
    /// Corrects [assumed] facts by name (PlatformAssumptions): the monitor's port (MonitorPort), the component upgrade's
    /// write, where the readiness and post-upgrade checks look. Recorded in the journal (a -Resume without it keeps
    /// them) and listed by -WhatIf. -ReadinessAssumption is its older name.
    /// </summary>
    [Parameter]
    [Alias("ReadinessAssumption")]
    public Hashtable? Assumption { get; set; }

    protected override IReadOnlyDictionary<string, string?>? AssumptionOverrides => HashtableInput.ToAssumptions(Assumption);

    /// <summary>The clusters the runbook upgrades: the standalone one, or the primary and the standby.</summary>
    protected abstract (ClusterConnection Primary, ClusterConnection? Standby) ResolveClusters();

    /// <summary>
    /// The inputs only this runbook takes, added to the shared request. Resolved before the clusters, so a bad value is
    /// refused before a missing connection; what the returned function resolves is resolved after them.
    /// </summary>
    protected virtual Func<RunbookRequest, RunbookRequest> OwnInputs() => shared => shared;

    /// <summary>The one place the runbook's parameters become its request, validated before anything is asked of a cluster.</summary>
    private RunbookRequest BuildRequest()
    {
        var own = OwnInputs();
        var (primary, standby) = ResolveClusters();
        var request = own(new RunbookRequest
        {
            Primary = primary,
            Standby = standby,
            PackagePath = PackagePath,
            TargetVersion = TargetVersion,
            PrimaryTarget = BuildTarget(ComputerName),
            Registry = Registry,
            RegistryCredential = RegistryCredential?.GetNetworkCredential(),
            StepTimeout = TimeSpan.FromSeconds(StepTimeoutSec),
            SkipReadinessCheck = SkipReadinessCheck ?? [],
            SkipCheckArtifacts = SkipCheckArtifacts,
            RunRoot = RunRoot,
        });
        Require(request.Validate);
        return request;
    }

    protected override void ProcessRecord()
    {
        var request = BuildRequest();

        var estimates = Require(() => HashtableInput.ToEstimates(Estimate));
        var journalPath = GetUnresolvedProviderPathFromPSPath(JournalPath ?? RunbookSession.DefaultJournalName(request));
        _ = Require(() => FileInput.ToWrite(journalPath, "-JournalPath"));

        if (WhatIfRequested())
        {
            ShowPlan(request, estimates, journalPath);
            return;
        }

        using var session = Run(ct => RunbookSession.OpenAsync(request, Engine, journalPath, Resume, Force, ct));
        WriteVerbose($"Journal: {journalPath}; assumptions: {session.Engine.Assumptions.Describe()}");
        foreach (var group in session.Runner.Groups)
        {
            if (group.All(session.Runner.IsDone))
            {
                WriteObject(group.Select(session.Runner.Record), enumerateCollection: true);
                continue;
            }

            var step = group[0];
            var where = string.Join(", ", group.Select(s => s.Cluster));
            if (PauseBefore?.Contains(step.Name, StringComparer.OrdinalIgnoreCase) == true
                && !ShouldContinue($"The runbook is about to run {step.Name} on {where}. Continue?", $"Paused before {step.Name}"))
            {
                WriteWarning($"Stopped before {step.Name}. Continue later with the same command and -Resume -JournalPath '{journalPath}'.");
                return;
            }

            if (!ShouldProcess(where, $"Run step {step.Name}"))
            {
                return;
            }

            var records = Run(ct => session.Runner.RunGroupAsync(group, ct));
            WriteObject(records, enumerateCollection: true);
            if (records.FirstOrDefault(r => r.State == StepState.Failed) is { } failed)
            {
                ThrowFailure(ErrorIds.RunbookStepFailed, FailureCategory.InvalidOperation,
                    $"Step {failed.Name} on {failed.Cluster} failed: {failed.Message} The journal '{journalPath}' records where the run stopped: fix the cause, then run the same command with -Resume.", failed);
            }
        }

        WriteVerbose($"Done. Report: Export-GlobalUpgradeReport -JournalPath '{journalPath}' -Path report.html");
    }

    private bool WhatIfRequested() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) && whatIf is SwitchParameter { IsPresent: true };

    /// <summary>-WhatIf: the plan of the same steps the run would take, each with its line ("would run, because …") and what the journal already records.</summary>
    private void ShowPlan(RunbookRequest request, IReadOnlyDictionary<string, TimeSpan>? estimates, string journalPath)
    {
        var clusters = request.Standby is null ? new[] { request.Primary } : [request.Primary, request.Standby];
        var plan = Run(ct => UpgradeInspector.PlanAsync(clusters, request.TargetVersion, request.PackagePath, estimates, Engine.ImageSyncs, request.EtcdSync, ct));
        var journal = File.Exists(journalPath) ? Require(() => RunbookJournal.Read(journalPath)) : null;
        var assumptions = Require(() => RunbookSession.AssumptionsOf(Engine.Assumptions, Resume ? journal : null));
        plan.Assumptions = assumptions.Overrides.ToDictionary(o => o.Key, o => o.Value, StringComparer.OrdinalIgnoreCase);
        ShouldProcess(string.Join(", ", clusters.Select(c => c.Name)), $"Assumptions: {assumptions.Describe()}");
        foreach (var step in plan.Steps)
        {
            var recorded = journal?.Steps.FirstOrDefault(s => s.Name == step.Name && s.Cluster == step.Cluster);
            var line = recorded?.State is StepState.Succeeded or StepState.Skipped ? $"done in the journal ({recorded.State})"
                : $"{(step.AlreadyDone ? "done" : step.WouldRun ? "would run" : "skipped")}, because {step.Reason}";
            ShouldProcess(step.Cluster, $"{step.Name}: {line}; estimate {step.Estimate}");
        }

        WriteObject(plan);
    }
}
