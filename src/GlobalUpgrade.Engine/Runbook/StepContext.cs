using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Session;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>What a running step may use: the request, the engine context and its journal entry (outputs survive a crash).</summary>
public sealed class StepContext
{
    internal StepContext(RunbookRequest request, EngineContext engine, RunbookJournal journal, JournalStep step, bool resumed)
    {
        Request = request;
        Engine = engine;
        Journal = journal;
        Step = step;
        Resumed = resumed;
    }

    public RunbookRequest Request { get; }

    /// <summary>The run stores and the [assumed] facts as this runbook records them (<see cref="RunbookSession"/>).</summary>
    public EngineContext Engine { get; }

    public RunbookJournal Journal { get; }

    public JournalStep Step { get; }

    /// <summary>True when this step had started before (a crash or a failure) and now runs again.</summary>
    public bool Resumed { get; }

    public ClusterConnection Cluster(ClusterSlot slot) => slot == ClusterSlot.Standby
        ? Request.Standby ?? throw new InvalidOperationException("A standard runbook has no standby.")
        : Request.Primary;

    public RemoteTarget Target(ClusterSlot slot) => slot == ClusterSlot.Standby ? Request.StandbyTarget : Request.PrimaryTarget;

    public JToken? Output(string key) => Step.Outputs[key];

    /// <summary>Saves an output at once (e.g. a detached run id), so a resumed step re-attaches instead of starting again.</summary>
    public void SetOutput(string key, JToken value) => Journal.Update(_ => Step.Outputs[key] = value);

    /// <summary>Saves check results as the "checks" output (the report lists them).</summary>
    public void SetChecks(IEnumerable<CheckResult> checks) => SetOutput("checks", new JArray(checks.Select(c => new JObject
    {
        ["check"] = c.Check,
        ["target"] = c.Target,
        ["passed"] = c.Passed,
        ["state"] = c.State.ToString(),
        ["expected"] = c.Expected,
        ["actual"] = c.Actual,
        ["message"] = c.Message,
        ["waived"] = ReadinessGate.IsWaived(c) ? true : null,
    })));
}

/// <summary>How a step ended.</summary>
public sealed record StepOutcome(StepState State, string Message)
{
    public static StepOutcome Succeeded(string message) => new(StepState.Succeeded, message);

    public static StepOutcome Skipped(string message) => new(StepState.Skipped, message);

    /// <summary>Succeeded when no check failed, else Failed listing the failed ones.</summary>
    public static StepOutcome FromChecks(IReadOnlyCollection<CheckResult> checks, string passed, string failedPrefix, string advice = "", Func<CheckResult, bool>? blocks = null)
    {
        var failed = checks.Where(blocks ?? (c => !c.Passed)).ToList();
        return failed.Count == 0
            ? Succeeded(passed)
            : new StepOutcome(StepState.Failed, $"{failed.Count} {failedPrefix}: {string.Join(" | ", failed.Select(f => $"{f.Check} on {f.Target}: {f.Message}"))}{advice}");
    }
}
