using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Platform;

/// <summary>A duration given through -Assumption ('00:05:00', '5m', '90s' or minutes), refused with InvalidProfileOverride unless positive (or zero, where that means "do not wait").</summary>
public static class AssumedDuration
{
    public static TimeSpan Parse(string name, string value, bool zeroAllowed = false)
    {
        TimeSpan span;
        try
        {
            span = Upgrade.UpgradeSteps.ParseEstimate(name, value);
        }
        catch (GlobalUpgradeException)
        {
            span = TimeSpan.MinValue;
        }

        return span > TimeSpan.Zero || (zeroAllowed && span == TimeSpan.Zero)
            ? span
            : throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument,
                $"The assumption '{name}' ('{value}') is not a {(zeroAllowed ? "zero or positive" : "positive")} duration: give '00:05:00', '5m', '90s' or minutes (5).", value);
    }
}
