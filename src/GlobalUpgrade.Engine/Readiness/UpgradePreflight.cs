using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// The 4.3 preflight [doc: release-4.3 upgrade_global_cluster.mdx "Run preflight checks"]: upgrade.sh --preflight
/// (read-only) on a control-plane node, or the Cluster Version Operator's result in CVSH status.preflight. One
/// result per documented check plus the summary.
/// </summary>
public static class UpgradePreflight
{
    public const string Command = "bash upgrade.sh --preflight";

    public static async Task<IReadOnlyList<CheckResult>> RunAsync(RemoteTarget node, string packagePath, string target, CancellationToken cancellationToken)
    {
        using var host = await RemoteHost.OpenAsync(node, cancellationToken).ConfigureAwait(false);
        var identity = await ImageSyncService.ReadPackageIdentityAsync(host, packagePath, cancellationToken).ConfigureAwait(false);
        if (PackageVersion.FromIdentity(identity) is { } version && PlatformVersion.TryParse(version, out var v) && !PlatformLine.For(v).HasPackagePreflight)
        {
            throw new GlobalUpgradeException(ErrorIds.PreflightNotSupported, FailureCategory.InvalidOperation,
                $"The package '{packagePath}' on {node.DisplayName} installs {version}; upgrade.sh has --preflight only from 4.3. Use Test-GlobalUpgradeReadiness for the documented conditions of {version}.", packagePath);
        }

        OperationLog.Current.Verbose($"Running {Command} in {packagePath} on {node.DisplayName} (read-only).");
        var (exitCode, output, error) = await host.RunAsync($"cd -- {RemoteHost.Quote(packagePath)} && {Command}", cancellationToken).ConfigureAwait(false);
        var origin = $"upgrade.sh --preflight on {node.DisplayName}";
        PreflightOutput parsed;
        try
        {
            parsed = PreflightOutput.Parse(output, node.DisplayName);
        }
        catch (GlobalUpgradeException) when (exitCode != 0)
        {
            throw new GlobalUpgradeException(ErrorIds.PreflightFailedToRun, FailureCategory.InvalidOperation,
                $"{Command} in {packagePath} on {node.DisplayName} failed with exit code {exitCode} before printing its result: {Tail(error.Length > 0 ? error : output)}", packagePath);
        }
        catch (GlobalUpgradeException unreadable) when (unreadable.ErrorId == ErrorIds.PreflightOutputUnreadable)
        {
            // Exit code 0 with a layout the parser does not know: readiness is unknown, never passed and never a crash.
            return Unreadable(target, origin, output, unreadable.Message);
        }

        var documented = PlatformVersion.TryParse(PackageVersion.FromIdentity(identity), out var line) ? CvoPreflight.ChecksFor(PlatformLine.For(line)) : null;
        return [Summary(target, parsed, origin), .. CvoPreflight.Judge(target, parsed.Checks, origin, "Run upgrade.sh --preflight again.", documented)];
    }

    /// <summary>Detail key set on the summary of an output the parser could not read (<see cref="IsUnreadable"/>).</summary>
    public const string UnreadableKey = "Unreadable";

    /// <summary>Whether <paramref name="result"/> is the summary of a preflight output the parser could not read.</summary>
    public static bool IsUnreadable(CheckResult result) =>
        result.Check == ReadinessCheckNames.PreflightSummary && result.State == CheckState.NotChecked && result.Detail?.ContainsKey(UnreadableKey) == true;

    /// <summary>The summary NotChecked with what the script printed (its Summary section, else its last lines), every check NotChecked.</summary>
    private static IReadOnlyList<CheckResult> Unreadable(string target, string origin, string output, string why)
    {
        var raw = RawSummary(output);
        return
        [
            ReadinessResult.Create(ReadinessCheckNames.PreflightSummary, target, CheckState.NotChecked, "Passed", raw,
                $"{why} Printed: {raw}. It is not counted as passed; after reading it yourself, waive it with -SkipReadinessCheck {ReadinessCheckNames.PreflightSummary}.",
                CvoPreflight.Source,
                new Dictionary<string, object?> { [UnreadableKey] = true, ["RawSummary"] = raw, ["Origin"] = origin }),
            .. CvoPreflight.Judge(target, null, $"{origin} printed nothing the module can read", "Read the output of upgrade.sh --preflight yourself."),
        ];
    }

    /// <summary>The lines from "Summary" on (at most 12), else the last lines, joined with " | ".</summary>
    private static string RawSummary(string output)
    {
        var lines = output.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var start = lines.FindIndex(l => l.StartsWith("Summary", StringComparison.OrdinalIgnoreCase));
        var shown = start >= 0 ? lines.Skip(start).Take(12) : lines.Skip(Math.Max(0, lines.Count - 12));
        var text = string.Join(" | ", shown);
        return text.Length == 0 ? "nothing" : text.Length > 600 ? text[..600] + "…" : text;
    }

    /// <summary>The same checks as the Cluster Version Operator reports them (no node needed).</summary>
    public static async Task<IReadOnlyList<CheckResult>> ReadFromClusterAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var shadow = await ClusterVersionShadowReader.ReadAsync(cluster, cancellationToken).ConfigureAwait(false);
        var target = $"{cluster.Name}/preflight";
        const string howToCheck = "The Cluster Version Operator reports it once deployed (4.3); before that run Invoke-GlobalUpgradePreflight -PackagePath on a control-plane node.";
        if (shadow is null)
        {
            return
            [
                ReadinessResult.Create(ReadinessCheckNames.PreflightSummary, target, CheckState.NotChecked, "Passed", "no ClusterVersionShadow",
                    $"{cluster.Name} has no ClusterVersionShadow, so there is no preflight result. {howToCheck}", CvoPreflight.Source),
                .. CvoPreflight.Judge(target, null, $"{cluster.Name} has no ClusterVersionShadow", howToCheck),
            ];
        }

        return [CvoPreflight.SummaryOf(target, shadow), .. CvoPreflight.Judge(target, CvoPreflight.EntriesOf(shadow), $"ClusterVersionShadow of {cluster.Name}", howToCheck)];
    }

    private static CheckResult Summary(string target, PreflightOutput output, string origin)
    {
        var result = output.Result;
        var state = result switch
        {
            _ when string.Equals(result, "Passed", StringComparison.OrdinalIgnoreCase) => CheckState.Passed,
            _ when string.Equals(result, "Failed", StringComparison.OrdinalIgnoreCase) => CheckState.Failed,
            _ => CheckState.NotChecked,
        };
        var desired = output.Summary.GetValueOrDefault("Desired Version");
        return ReadinessResult.Create(ReadinessCheckNames.PreflightSummary, target, state, "Passed", result ?? "no result",
            $"{origin}: {result ?? "no overall result"} (current {output.Summary.GetValueOrDefault("Current Version") ?? "?"}, desired {desired ?? "?"}).",
            CvoPreflight.Source,
            new Dictionary<string, object?>
            {
                ["CurrentVersion"] = output.Summary.GetValueOrDefault("Current Version"),
                ["DesiredVersion"] = desired,
                ["DesiredImage"] = output.Summary.GetValueOrDefault("Desired Image"),
                ["Origin"] = origin,
            });
    }

    private static string Tail(string text)
    {
        var lines = text.Trim().Split('\n');
        return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 5)).Select(l => l.Trim()));
    }
}
