using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Runbook.Steps;

/// <summary>
/// Preflight's gate on the synchronizer the DR runbook re-installs after both upgrades: it must be pushed to the
/// standby's own platform before the old one is uninstalled, or the standby stays unprotected after the window.
/// From 4.3 it is an Aligned plugin the core package does not bring: it is pushed with violet [doc release-4.3 PRE
/// "Step 1: Download the Core Package"], and its patches come out on their own (v4.3.7 [doc master UGC]).
/// Read from the standby's ArtifactVersions, not its ModuleConfigs: those the synchronizer copies from the primary,
/// while a push made without <c>--dest-repo &lt;standby VIP&gt;</c> lands in the primary's registry [doc release-4.0/4.1 UGC
/// "Upload images"]. Passed: a version of the target's line is there (or the -EtcdSync Version pinned). Missing: Failed
/// where the target line has violet push every plugin, else NotChecked (the core package may bring it). A Failed
/// result is waived like a readiness condition (-SkipReadinessCheck TargetSynchronizerPublished), and recorded so.
/// </summary>
public static class PreflightTargetSynchronizer
{
    public const string Check = "TargetSynchronizerPublished";

    private const string Source = "[doc release-4.3 PRE \"Step 1: Download the Core Package\"; release-4.0/4.1 UGC \"Upload images\" (--dest-repo <standby VIP>); release-4.3 extend/upload_package.mdx \"Upload an Operator to a Standby Global Cluster\"]";

    public static async Task<CheckResult> RunAsync(RunbookRequest request, ClusterConnection standby, string? standbyVip, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var target = PlatformVersion.Parse(request.TargetVersion);
        var module = request.EtcdSync.ModuleName ?? PlatformProfile.For(target).EtcdSyncModuleName ?? details.ModuleName;
        var pinned = request.EtcdSync.Version;
        var expected = pinned is null ? $"{module} {target.Line}.x pushed to {standby.Name}" : $"{module} {pinned} (-EtcdSync Version) pushed to {standby.Name}";
        var pushed = (await standby.ListAsync(AcpResources.ArtifactVersions, ArtifactVersion.Namespace, null, cancellationToken).ConfigureAwait(false))
            .Select(ArtifactVersion.From)
            .Where(a => a.IsOfPlugin(module) && a.Present && a.Version is not null)
            .Select(a => a.Version!)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        var matching = pushed.Where(v => pinned is null ? OnLine(v, target) : EtcdSyncPlugin.SameVersion(v, pinned)).ToList();
        var actual = pushed.Count == 0 ? "none" : string.Join(", ", pushed);
        if (matching.Count > 0)
        {
            return Result(standby, CheckState.Passed, expected, actual,
                $"The synchronizer to re-install after the upgrade is pushed to the standby's own platform: {module} {string.Join(", ", matching)}.");
        }

        var what = pinned is null ? $"{module} of the {target.Line} line" : $"{module} {pinned}";
        var push = $"push it to the standby's own platform before anything is uninstalled: violet push <{what} package> --platform-address https://<standby platform address> " +
            $"--dest-repo {standbyVip ?? "<standby VIP>"}:11443 with the standby registry's --username/--password or --no-auth (without --dest-repo it lands in the primary's registry and the standby cannot install it) {Source}";
        var alternatives = $" Or pin a version pushed there with -EtcdSync @{{ Version = '<version>' }}, or waive this with -SkipReadinessCheck {Check} (the standby then stays unprotected until you install a synchronizer by hand).";
        return PlatformLine.For(target).RequiresEveryPluginPublished || pinned is not null
            ? Result(standby, CheckState.Failed, expected, actual, $"{what} is not pushed to the standby (its ArtifactVersions: {actual}); {push}.{alternatives}")
            : Result(standby, CheckState.NotChecked, expected, actual,
                $"{what} is not pushed to the standby yet (its ArtifactVersions: {actual}); the {target.Line} core package may bring it with the image sync. If it does not, {push}.");
    }

    private static bool OnLine(string version, PlatformVersion target) => PlatformVersion.TryParse(version, out var v) && v.Line == target.Line;

    private static CheckResult Result(ClusterConnection standby, CheckState state, string expected, string actual, string message) => new()
    {
        Check = Check,
        Target = standby.Name,
        State = state,
        Expected = expected,
        Actual = actual,
        Message = message,
    };
}
