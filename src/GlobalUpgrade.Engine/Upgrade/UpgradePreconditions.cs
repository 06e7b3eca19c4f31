using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Upgrade;

/// <summary>What Start-GlobalUpgrade reads before it decides anything (all read-only).</summary>
public sealed record UpgradeFacts
{
    public required string Cluster { get; init; }

    /// <summary>clusters.platform.tkestack.io/global exists.</summary>
    public required bool IsGlobal { get; init; }

    /// <summary>ProductBase base status.version.</summary>
    public required string PlatformVersion { get; init; }

    public required string TargetVersion { get; init; }

    public required ComponentState Components { get; init; }

    /// <summary>A successful image sync of this package for this cluster is on record.</summary>
    public required bool ImageSyncSucceeded { get; init; }

    /// <summary>A recorded run of this cluster to this version finished its trigger.</summary>
    public bool TriggerRecorded { get; init; }

    public string PackagePath { get; init; } = "";
}

/// <summary>What a run will do.</summary>
public sealed record UpgradeDecision(PlatformVersion From, PlatformVersion To, bool RunTrigger, bool RunComponents, bool TriggerAlreadyDone, string Summary);

/// <summary>
/// docs/safety.md rule 4: the checks made before any change — a global cluster, a supported version path, a 4.3+ target the
/// Cluster Version Operator offers (when it is there already), and a successful image sync of the package for the
/// cluster (unless forced). Pure logic over <see cref="UpgradeFacts"/>.
/// </summary>
public static class UpgradePreconditions
{
    public static UpgradeDecision Decide(UpgradeFacts facts, UpgradeStage stage, bool force)
    {
        if (!facts.IsGlobal)
        {
            throw new GlobalUpgradeException(ErrorIds.NotAGlobalCluster, FailureCategory.InvalidOperation,
                $"Cluster '{facts.Cluster}' is not an ACP global cluster (it has no clusters.platform.tkestack.io/{AcpResources.GlobalClusterName}). " +
                "Start-GlobalUpgrade upgrades global clusters only: connect to the global cluster's kubeconfig. Nothing was changed.", facts.Cluster);
        }

        var to = PlatformVersion.Parse(facts.TargetVersion);
        if (!Platform.PlatformVersion.TryParse(facts.PlatformVersion, out var running))
        {
            throw new GlobalUpgradeException(ErrorIds.PlatformVersionUnknown, FailureCategory.InvalidData,
                $"Cluster '{facts.Cluster}' reports platform version '{facts.PlatformVersion}', which is not a version; the upgrade path cannot be checked. Nothing was changed.", facts.Cluster);
        }

        var triggerDone = facts.TriggerRecorded;
        var from = running;
        if (running.CompareTo(to) > 0)
        {
            throw Unsupported(facts, running, to, $"{to} is older than the running {running}; ACP has no downgrade");
        }

        if (running.CompareTo(to) == 0)
        {
            // ProductBase already reports the target: the trigger has run. The components may still be behind.
            triggerDone = true;
            if (Platform.PlatformVersion.TryParse(facts.Components.Current, out var components) && components.CompareTo(to) < 0)
            {
                from = components;
                if (!UpgradePaths.IsSupported(components, to, out var componentReason))
                {
                    throw Unsupported(facts, components, to, componentReason);
                }
            }
        }
        else if (!UpgradePaths.IsSupported(running, to, out var reason))
        {
            throw Unsupported(facts, running, to, reason);
        }

        var componentsDone = facts.Components.IsAt(facts.TargetVersion);
        var runTrigger = stage is UpgradeStage.Trigger or UpgradeStage.All && !triggerDone;
        var runComponents = stage is UpgradeStage.Components or UpgradeStage.All && !componentsDone;
        if (runTrigger && !facts.ImageSyncSucceeded && !force)
        {
            throw new GlobalUpgradeException(ErrorIds.ImageSyncNotDone, FailureCategory.InvalidOperation,
                $"No successful image sync of '{facts.PackagePath}' for cluster '{facts.Cluster}' is on record on this machine. " +
                $"Run Invoke-GlobalImageSync -PackagePath {facts.PackagePath} -Cluster {facts.Cluster} first (about 2 hours), or pass -Force if the images were synced another way. Nothing was changed.",
                facts.Cluster);
        }

        if (runComponents)
        {
            OfferedTarget.RefuseUnoffered(facts.Components, facts.TargetVersion, facts.Cluster);
        }

        if (stage == UpgradeStage.Components && !triggerDone && runComponents && !force)
        {
            throw new GlobalUpgradeException(ErrorIds.UpgradeNotTriggered, FailureCategory.InvalidOperation,
                $"Cluster '{facts.Cluster}' still runs {running} and no finished trigger to {to} is on record: the components can be upgraded only after 'upgrade.sh --skip-sync-image'. " +
                "Run Start-GlobalUpgrade -Stage Trigger (or -Stage All) first, or pass -Force if the trigger ran elsewhere. Nothing was changed.", facts.Cluster);
        }

        var summary = (runTrigger, runComponents) switch
        {
            (false, false) when stage == UpgradeStage.Trigger => $"the upgrade to {to} was already triggered",
            (false, false) => $"cluster '{facts.Cluster}' already runs {to} ({facts.Components.ObjectName} {facts.Components.State})",
            (true, true) => $"trigger, then {facts.Components.Kind} upgrade {from} → {to}",
            (true, false) => $"trigger {from} → {to}",
            (false, true) => $"{facts.Components.Kind} upgrade to {to}" + (facts.Components.AsksFor(facts.TargetVersion) ? " (already requested: waiting only)" : ""),
        };
        return new UpgradeDecision(from, to, runTrigger, runComponents, triggerDone, summary);
    }

    private static GlobalUpgradeException Unsupported(UpgradeFacts facts, PlatformVersion from, PlatformVersion to, string reason) =>
        new(ErrorIds.UnsupportedUpgradePath, FailureCategory.InvalidOperation,
            $"Cluster '{facts.Cluster}' cannot be upgraded from {from} to {to}: {reason}. Supported paths: " +
            string.Join("; ", UpgradePaths.Table.Select(p => $"{p.Key} ← {string.Join(", ", p.Value)}")) + ". Nothing was changed.", facts.Cluster);
}
