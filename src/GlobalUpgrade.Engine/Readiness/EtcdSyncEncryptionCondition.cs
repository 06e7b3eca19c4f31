using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Readiness;

/// <summary>
/// [doc master docs/en/configure/etcd/encryption.mdx warning "etcd Synchronizer version"] Where the etcd Encryption
/// Manager is installed on a global cluster (deterministic there: "the chart enforces etcdEncryption.keyStrategy=deterministic"),
/// the etcd synchronizer must be v4.3.7 or later, else the standby cannot derive the primary's keys. Kept apart from
/// the other conditions; registered in <see cref="ReadinessConditions.Table"/>.
/// </summary>
public static class EtcdSyncEncryptionCondition
{
    public const string Check = "EtcdSyncEncryptionCompatible";

    public const string Source = "master docs/en/configure/etcd/encryption.mdx warning \"etcd Synchronizer version\": v4.3.7 or later with the etcd Encryption Manager in deterministic mode";

    private static readonly EtcdSyncProfile Details = new();

    public static ReadinessCondition Condition { get; } =
        new(Check, Source, (from, _) => PlatformLine.For(from).EtcdSync.Kind == EtcdSyncKind.StandbyPlugin, Judge);

    public static IEnumerable<CheckResult> Judge(ReadinessFacts f)
    {
        var minimum = EtcdSyncLine.MinimumWithDeterministicEncryption;
        var expected = $"etcd synchronizer v{minimum.Text} or later where the {EtcdEncryptionManager.DisplayName} is installed";
        var encryption = f.InstalledPlugins.FirstOrDefault(IsEncryptionManager);
        if (encryption is null)
        {
            yield return ReadinessResult.Create(Check, f.Cluster, CheckState.Passed, expected, "no etcd Encryption Manager",
                $"The {EtcdEncryptionManager.DisplayName} is not installed on {f.Cluster}: any synchronizer version replicates what it needs.", Source);
            yield break;
        }

        var synchronizers = f.InstalledPlugins.Where(IsSynchronizer).ToList();
        if (synchronizers.Count == 0)
        {
            yield return ReadinessResult.Create(Check, f.Cluster, CheckState.Passed, expected, $"{EtcdEncryptionManager.DisplayName} {encryption.Version}, no synchronizer here",
                $"No etcd synchronizer is installed on {f.Cluster} (it runs on the standby, where this condition is judged).", Source);
            yield break;
        }

        foreach (var sync in synchronizers)
        {
            var target = $"{f.Cluster}/{sync.ClusterName}/{sync.Module}";
            var actual = $"synchronizer {sync.Version ?? "(no version)"}, {EtcdEncryptionManager.DisplayName} {encryption.Version}";
            if (!PlatformVersion.TryParse(sync.Version, out var version))
            {
                yield return ReadinessResult.Create(Check, target, CheckState.NotChecked, expected, actual,
                    $"The synchronizer's version '{sync.Version}' could not be read, so whether it replicates the encryption's SeedBundle is not known.", Source);
            }
            else if (version < minimum)
            {
                yield return ReadinessResult.Create(Check, target, CheckState.Failed, expected, actual,
                    $"The {EtcdEncryptionManager.DisplayName} is installed (deterministic on a global cluster), and the etcd synchronizer {sync.Version} is older than v{minimum.Text}: earlier versions do not replicate the shared SeedBundle, so the standby cannot derive matching keys. Install the synchronizer v{minimum.Text} or later (Install-EtcdSync -Version).", Source);
            }
            else
            {
                yield return ReadinessResult.Create(Check, target, CheckState.Passed, expected, actual,
                    $"The etcd synchronizer {sync.Version} replicates the {EtcdEncryptionManager.DisplayName}'s SeedBundle.", Source);
            }
        }
    }

    private static bool IsEncryptionManager(InstalledPlugin p) =>
        p.Module == Details.EncryptionManagerModuleName || (p.DisplayName?.Contains(EtcdEncryptionManager.DisplayName, StringComparison.OrdinalIgnoreCase) ?? false);

    private static bool IsSynchronizer(InstalledPlugin p) =>
        p.Module == EtcdSyncLine.PluginModuleName || Details.PluginDisplayNames.Any(d => string.Equals(p.DisplayName, d, StringComparison.OrdinalIgnoreCase));
}
