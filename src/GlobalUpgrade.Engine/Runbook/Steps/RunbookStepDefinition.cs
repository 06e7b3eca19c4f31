namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// One step of a runbook: its name, the cluster(s) it works on, how it shows in a plan, what must hold before it
/// runs (checked again on every resume) and what it does. The runner, -WhatIf and Get-GlobalUpgradePlan all read
/// the same list of these (<see cref="UpgradeRunbooks.Define"/>).
/// </summary>
public abstract class RunbookStepDefinition(string name, RunbookShape shape, params ClusterSlot[] slots)
{
    public string Name => name;

    public RunbookShape Shape => shape;

    public IReadOnlyList<ClusterSlot> Slots => slots;

    /// <summary>The cluster(s) by name, e.g. "standby" or "primary,standby": with the name, the step's key in the journal.</summary>
    public string Cluster => string.Join(",", slots.Select(shape.NameOf));

    /// <summary>Steps of one group run concurrently (image sync of both clusters).</summary>
    public virtual string Group => Name;

    public TimeSpan Estimate(IReadOnlyDictionary<string, TimeSpan> estimates) => estimates[Name];

    /// <summary>What the step would do with the clusters as they are: done, would run or skipped, and why.</summary>
    public abstract StepPlan Plan(PlanFacts facts);

    /// <summary>What must hold before the step runs; throws a GlobalUpgradeException naming what does not. Never trusts the journal alone.</summary>
    public virtual Task CheckPreconditionsAsync(StepContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Checks the user's inputs this step will need; Preflight calls it for every step, so a bad input fails before anything changes.</summary>
    public virtual void ValidateInputs(RunbookRequest request)
    {
    }

    public abstract Task<StepOutcome> RunAsync(StepContext context, CancellationToken cancellationToken);
}
