using GlobalUpgrade.Errors;
using GlobalUpgrade.Readiness;

namespace GlobalUpgrade.Platform;

/// <summary>
/// Every [assumed] platform fact a user may correct, in one object built from one parameter shape
/// (-Assumption @{ MonitorPort = 8080; ClusterModuleUpgradeAvailableTimeout = '00:45:00' }): the etcd
/// synchronizer's (<see cref="EtcdSyncProfile"/>, with its waits' budgets <see cref="EtcdSyncWaitBudgets"/>, e.g.
/// EtcdSyncStartTimeout = '90s'), the component upgrade's (<see cref="ComponentUpgradeProfile"/>,
/// per target version) and the readiness checks' (<see cref="ReadinessAssumptions"/>). Names are case-insensitive;
/// an unknown name or an unusable value is refused before anything is asked of a cluster. The runbook records
/// <see cref="Overrides"/> in its journal and -WhatIf lists them.
/// </summary>
public sealed record PlatformAssumptions
{
    /// <summary>The etcd synchronizer's facts with the overrides applied.</summary>
    public EtcdSyncProfile EtcdSync { get; private init; } = new();

    /// <summary>Where the readiness and post-upgrade checks look, with the overrides applied.</summary>
    public ReadinessAssumptions Readiness { get; private init; } = new();

    /// <summary>The values the user replaced, by their canonical names (nothing secret: names of objects, ports, durations).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; private init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every name -Assumption accepts.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. EtcdSyncProfile.OverridableNames, .. ComponentUpgradeProfile.OverridableNames, .. ReadinessAssumptions.Names];

    /// <summary>The documented values with <paramref name="overrides"/> applied.</summary>
    public static PlatformAssumptions From(IReadOnlyDictionary<string, string?>? overrides) => new PlatformAssumptions().With(overrides);

    /// <summary>These assumptions with more values replaced (a name given again takes its new value).</summary>
    public PlatformAssumptions With(IReadOnlyDictionary<string, string?>? overrides)
    {
        var result = this;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            var name = Names.FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase))
                ?? throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument,
                    $"-Assumption has an unknown name '{key}'. Known: {string.Join(", ", Names)}.", key);
            var text = string.IsNullOrWhiteSpace(value)
                ? throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument, $"The assumption '{name}' cannot be empty. Fix -Assumption and run again.", key)
                : value.Trim();
            var one = new Dictionary<string, string?> { [name] = text };
            if (result.EtcdSync.TryWith(name, text, out var etcdSync))
            {
                result = result with { EtcdSync = etcdSync };
            }
            else if (ComponentUpgradeProfile.OverridableNames.Contains(name))
            {
                ComponentUpgradeProfile.Validate(one);
            }
            else
            {
                result = result with { Readiness = result.Readiness.With(one) };
            }

            result = result with { Overrides = new Dictionary<string, string>(result.Overrides, StringComparer.OrdinalIgnoreCase) { [name] = text } };
        }

        return result;
    }

    /// <summary>The overrides that concern the component upgrade (Start-GlobalUpgrade records them with its run).</summary>
    public IReadOnlyDictionary<string, string?> ComponentOverrides =>
        Overrides.Where(o => ComponentUpgradeProfile.OverridableNames.Contains(o.Key)).ToDictionary(o => o.Key, o => (string?)o.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>How an upgrade to <paramref name="target"/> asks for the functional components.</summary>
    public ComponentUpgradeProfile ComponentFor(PlatformVersion target) => ComponentUpgradeProfile.For(target, ComponentOverrides);

    /// <summary>The overrides as one line for messages and -WhatIf.</summary>
    public string Describe() => Overrides.Count == 0
        ? "the documented values (no -Assumption)"
        : string.Join(", ", Overrides.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} = {o.Value}"));
}
