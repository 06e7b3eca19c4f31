using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Upgrade;

/// <summary>What an upgrade request amounts to, once its facts are read.</summary>
public sealed record UpgradeCheck(UpgradeFacts Facts, UpgradeDecision Decision, ComponentUpgradeProfile Profile, string PackageIdentity);

/// <summary>
/// Gathers everything the preconditions need — the package on the node, the cluster's ProductBase and component
/// object, the image sync ledger, the recorded runs — without changing anything, then decides (docs/safety.md rule 4).
/// </summary>
public static class UpgradeFactsReader
{
    /// <summary>Reads the facts and decides; throws when a precondition fails.</summary>
    public static async Task<UpgradeCheck> CheckAsync(UpgradeRequest request, IRemoteHost host, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var cluster = request.Cluster;
        var packagePath = ImageSyncLedger.NormalizePath(request.PackagePath);
        var log = OperationLog.Current;
        var identity = await UpgradePackage.ReadIdentityAsync(host, packagePath, cancellationToken).ConfigureAwait(false);
        var packageVersion = PackageVersion.FromIdentity(identity);
        var target = request.TargetVersion ?? packageVersion
            ?? throw new GlobalUpgradeException(ErrorIds.TargetVersionUnknown, FailureCategory.InvalidArgument,
                $"The package '{packagePath}' has no 'version' file saying which version it installs. Pass -TargetVersion. Nothing was changed.", packagePath);
        var to = PlatformVersion.Parse(target);
        if (request.TargetVersion is not null && packageVersion is not null && !Versions.Same(packageVersion, target))
        {
            log.Warning($"The package '{packagePath}' says it installs {packageVersion}, but -TargetVersion is {target}.");
        }

        log.Verbose($"[{cluster.Name}] reading clusters.platform.tkestack.io/{AcpResources.GlobalClusterName} and productbases/{AcpResources.ProductBaseName}.");
        var isGlobal = await cluster.GetAsync(AcpResources.Clusters, null, AcpResources.GlobalClusterName, cancellationToken).ConfigureAwait(false) is not null;
        var running = isGlobal ? (await ProductBase.ReadWithVersionAsync(cluster, cancellationToken).ConfigureAwait(false)).Version! : "";
        var profile = ComponentUpgradeProfile.For(to, request.ProfileOverrides);
        var components = isGlobal ? ComponentState.Read(await ComponentUpgrade.ReadObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false), profile)
            : new ComponentState { Kind = profile.Kind, ObjectName = profile.ComponentObject };
        var synced = ImageSyncLedger.HasSucceeded(cluster.Name, packagePath, request.SyncStore);
        var triggered = store.List().Any(r => string.Equals(r.Cluster, cluster.Name, StringComparison.OrdinalIgnoreCase) && Versions.Same(r.ToVersion, target) && r.TriggerDone);
        var facts = new UpgradeFacts
        {
            Cluster = cluster.Name,
            IsGlobal = isGlobal,
            PlatformVersion = running,
            TargetVersion = target,
            Components = components,
            ImageSyncSucceeded = synced,
            TriggerRecorded = triggered,
            PackagePath = packagePath,
        };
        log.Verbose($"[{cluster.Name}] platform {running}, target {target}, {components.ObjectName}: {components.State} (asks for {components.Desired ?? "-"}, runs {components.Current ?? "-"}); image sync of the package on record: {synced}.");
        return new UpgradeCheck(facts, UpgradePreconditions.Decide(facts, request.Stage, request.Force), profile, identity);
    }
}
