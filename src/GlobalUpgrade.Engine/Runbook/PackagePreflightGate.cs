using GlobalUpgrade.Platform;
using GlobalUpgrade.Readiness;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// The 4.3 preflight at its documented moment: upgrade.sh --preflight with the cluster's package on its node, after
/// that cluster's artifacts are synced and right before its CVO is deployed (upgrade.sh --skip-sync-image) — in DR the
/// standby first, then the primary [doc release-4.3 UGC "Run preflight checks"; "Upgrade the standby global cluster"
/// and "Upgrade the primary global cluster": "1. Run preflight checks 2. Deploy the cluster version operator"].
/// A Failed check blocks the trigger unless waived by name (-SkipReadinessCheck); so does an output the module
/// cannot read (NotChecked, waived as PreflightSummary); Retry or no data is NotChecked and does not block, the CVO
/// still runs its own preflight when the upgrade is requested.
/// </summary>
public static class PackagePreflightGate
{
    /// <summary>Whether the target's upgrade.sh has --preflight (4.3 and later).</summary>
    public static bool Applies(string targetVersion) =>
        PlatformVersion.TryParse(targetVersion, out var target) && PlatformLine.For(target).HasPackagePreflight;

    /// <summary>Runs the preflight of one cluster (read-only), with the operator's waivers applied.</summary>
    public static async Task<IReadOnlyList<CheckResult>> RunAsync(StepContext context, ClusterSlot slot, CancellationToken cancellationToken)
    {
        var cluster = context.Cluster(slot);
        var results = await UpgradePreflight.RunAsync(context.Target(slot), context.Request.PackagePathOf(cluster), $"{cluster.Name}/preflight", cancellationToken).ConfigureAwait(false);
        return results.Select(r => ReadinessGate.Waive(r, context.Request.SkipReadinessCheck)).ToList();
    }

    /// <summary>Whether a result stops the trigger: a Failed check not waived, or an unreadable output not waived.</summary>
    public static bool Blocks(CheckResult result) =>
        ReadinessGate.Blocks(result) || (UpgradePreflight.IsUnreadable(result) && !ReadinessGate.IsWaived(result));
}
