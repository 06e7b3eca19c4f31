using System.Globalization;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// The names of the steps of a global cluster upgrade and how long each takes by default (their order is
/// <see cref="Runbook.UpgradeRunbooks.Define"/>). One place for the names and the estimates.
/// </summary>
public static class UpgradeSteps
{
    public const string Preflight = nameof(Preflight);
    public const string ImageSync = nameof(ImageSync);
    public const string UninstallEtcdSync = nameof(UninstallEtcdSync);
    public const string UpgradeStandby = nameof(UpgradeStandby);
    public const string UpgradePrimary = nameof(UpgradePrimary);
    public const string Upgrade = nameof(Upgrade);
    public const string CheckEtcdPorts = nameof(CheckEtcdPorts);
    public const string InstallEtcdSync = nameof(InstallEtcdSync);
    public const string VerifySync = nameof(VerifySync);
    public const string PostChecks = nameof(PostChecks);

    // Parts of one cluster's upgrade (Upgrade, UpgradeStandby, UpgradePrimary = Trigger + ComponentNotices + Components).
    public const string Trigger = nameof(Trigger);
    public const string ComponentNotices = nameof(ComponentNotices);
    public const string Components = nameof(Components);

    /// <summary>
    /// Default durations: ImageSync "about 2 hours" per cluster [doc]; ComponentNotices "10–15 minutes" after
    /// --skip-sync-image [doc, upper bound]; the rest are [assumed] working figures. Override any of them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan> DefaultEstimates = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase)
    {
        [Preflight] = TimeSpan.FromMinutes(15),
        [ImageSync] = TimeSpan.FromHours(2),
        [UninstallEtcdSync] = TimeSpan.FromMinutes(10),
        [Trigger] = TimeSpan.FromMinutes(30),
        [ComponentNotices] = TimeSpan.FromMinutes(15),
        [Components] = TimeSpan.FromMinutes(30),
        [CheckEtcdPorts] = TimeSpan.FromMinutes(5),
        [InstallEtcdSync] = TimeSpan.FromMinutes(15),
        [VerifySync] = TimeSpan.FromMinutes(15),
        [PostChecks] = TimeSpan.FromMinutes(15),
    };

    /// <summary>Names an estimate may be given for: the steps plus the parts of a cluster upgrade.</summary>
    public static IReadOnlyList<string> EstimateNames { get; } =
        [.. Runbook.UpgradeRunbooks.StepNames, Trigger, ComponentNotices, Components];

    /// <summary>The defaults with overrides applied; an Upgrade* override sets the whole cluster upgrade.</summary>
    public static IReadOnlyDictionary<string, TimeSpan> Estimates(IReadOnlyDictionary<string, TimeSpan>? overrides = null)
    {
        var result = new Dictionary<string, TimeSpan>(DefaultEstimates, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in overrides ?? new Dictionary<string, TimeSpan>())
        {
            if (!EstimateNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new GlobalUpgradeException(ErrorIds.InvalidEstimate, FailureCategory.InvalidArgument,
                    $"'{name}' is not a step with an estimate. Known: {string.Join(", ", EstimateNames)}.", name);
            }

            if (value < TimeSpan.Zero)
            {
                throw new GlobalUpgradeException(ErrorIds.InvalidEstimate, FailureCategory.InvalidArgument, $"The estimate of {name} cannot be negative.", name);
            }

            result[name] = value;
        }

        result.TryAdd(Upgrade, result[Trigger] + result[ComponentNotices] + result[Components]);
        result.TryAdd(UpgradeStandby, result[Upgrade]);
        result.TryAdd(UpgradePrimary, result[Upgrade]);
        return result;
    }

    /// <summary>Reads an estimate as a user writes it: a TimeSpan, minutes as a number, or text ("2:00:00", "90", "1.5h", "45m").</summary>
    public static TimeSpan ParseEstimate(string name, object? value)
    {
        switch (value)
        {
            case TimeSpan span:
                return span;
            case int or long or double or float or decimal:
                return TimeSpan.FromMinutes(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case string text:
                text = text.Trim();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes))
                {
                    return TimeSpan.FromMinutes(minutes);
                }

                if (text.Length > 1 && char.ToLowerInvariant(text[^1]) is 'h' or 'm' or 's'
                    && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
                {
                    return char.ToLowerInvariant(text[^1]) switch { 'h' => TimeSpan.FromHours(amount), 'm' => TimeSpan.FromMinutes(amount), _ => TimeSpan.FromSeconds(amount) };
                }

                if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }

                break;
        }

        throw new GlobalUpgradeException(ErrorIds.InvalidEstimate, FailureCategory.InvalidArgument,
            $"The estimate of {name} ('{value}') is not a duration: give a TimeSpan, minutes (90), or text such as '2:00:00', '1.5h', '45m'.", name);
    }
}
