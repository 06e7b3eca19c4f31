using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.EtcdSync;

/// <summary>The etcd Encryption Manager as found on one cluster: its ModuleInfo and the key strategy its settings give (null: not set).</summary>
public sealed record EncryptionManagerFound(string Cluster, string ModuleInfo, string? KeyStrategy)
{
    public bool IsDeterministic => EtcdEncryptionManager.IsDeterministic(KeyStrategy);

    public string Describe() => $"the {EtcdEncryptionManager.DisplayName} on '{Cluster}' (ModuleInfo {ModuleInfo}, key strategy {KeyStrategy ?? $"not set: {EtcdEncryptionManager.Deterministic} on a global cluster"})";
}

/// <summary>
/// [doc master docs/en/configure/etcd/encryption.mdx warning "etcd Synchronizer version"] With the etcd Encryption
/// Manager installed in deterministic mode, a synchronizer older than v4.3.7 does not replicate the shared SeedBundle
/// and the standby cannot derive the primary's keys: installing or reinstalling one is refused.
/// </summary>
public static class EtcdEncryptionGuard
{
    /// <summary>The Encryption Manager installed in deterministic mode on <paramref name="cluster"/>, or null.</summary>
    public static async Task<EncryptionManagerFound?> FindAsync(ClusterConnection cluster, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var plugins = (await cluster.ListAsync(AcpResources.ModulePlugins, null, null, cancellationToken).ConfigureAwait(false)).Select(ModulePlugin.From);
        var modules = plugins.Where(p => p.DisplayTexts.Any(IsEncryptionManagerText)).Select(p => p.Module).Append(details.EncryptionManagerModuleName).ToHashSet(StringComparer.Ordinal);
        var infos = (await cluster.ListAsync(AcpResources.ModuleInfos, null, null, cancellationToken).ConfigureAwait(false)).Select(ModuleInfo.From);
        return infos
            .Where(i => !i.Meta.IsDeleting && (modules.Contains(i.Module) || (i.DisplayName is { } d && IsEncryptionManagerText(d))))
            .Select(i => new EncryptionManagerFound(cluster.Name, i.Name, EtcdEncryptionManager.KeyStrategyOf(i.Config)))
            .FirstOrDefault(f => f.IsDeterministic);
    }

    /// <summary>Refuses plugin <paramref name="version"/> when either cluster of the pair runs the Encryption Manager in deterministic mode and the version is older than v4.3.7.</summary>
    public static async Task CheckAsync(ClusterConnection primary, ClusterConnection standby, EtcdSyncProfile details, string module, string version, CancellationToken cancellationToken)
    {
        var minimum = EtcdSyncLine.MinimumWithDeterministicEncryption;
        if (PlatformVersion.TryParse(version, out var v) && v >= minimum)
        {
            return;
        }

        foreach (var cluster in new[] { standby, primary })
        {
            if (await FindAsync(cluster, details, cancellationToken).ConfigureAwait(false) is { } found)
            {
                throw new GlobalUpgradeException(
                    ErrorIds.EtcdSyncTooOldForEncryption,
                    FailureCategory.InvalidOperation,
                    $"Refusing to install the etcd synchronizer plugin {module} {version} on '{standby.Name}': {found.Describe()} needs the synchronizer at v{minimum.Text} or later. Earlier versions do not replicate the shared SeedBundle, so the standby cannot derive matching keys. Nothing was changed. Publish the synchronizer v{minimum.Text} or later and install that version (-Version).",
                    standby.Name);
            }
        }
    }

    private static bool IsEncryptionManagerText(string text) => text.Contains(EtcdEncryptionManager.DisplayName, StringComparison.OrdinalIgnoreCase);
}
