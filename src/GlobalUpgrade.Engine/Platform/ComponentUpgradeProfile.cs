using System.Reflection;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Platform;

/// <summary>
/// How Start-GlobalUpgrade triggers the upgrade and asks for the functional components, per target version. Facts
/// are marked [doc] or [assumed] (docs/platform-versions.md); every value can be overridden by name through
/// Start-GlobalUpgrade -ComponentProfile @{ Name = 'value' }, so a field engineer corrects an assumption without a
/// rebuild.
/// </summary>
public sealed record ComponentUpgradeProfile
{
    /// <summary>[doc] The trigger, run in the package folder on a control-plane node.</summary>
    public string TriggerCommand { get; init; } = "bash upgrade.sh --skip-sync-image";

    /// <summary>ClusterModule before 4.3 [assumed write], ClusterVersionShadow from 4.3 [doc].</summary>
    public ComponentUpgradeKind Kind { get; init; }

    /// <summary>[assumed] The global cluster's ClusterModule is named after the tkestack Cluster ("global").</summary>
    public string ClusterModuleName { get; init; } = AcpResources.GlobalClusterName;

    /// <summary>[assumed] The console's "Upgrade" button writes the target version here.</summary>
    public string ClusterModuleVersionField { get; init; } = "spec.version";

    /// <summary>
    /// [assumed] Where the request names each cluster plugin's target: the console's dialog lets the operator choose
    /// the targets of the cluster plugins ([doc] release-4.0 UGC "Upgrade the global cluster"; release-4.1
    /// extend/cluster_plugin.mdx "Upgrade Process"); the ClusterModule schema has spec.upgradeModulesInfos[] (name,
    /// version, config), which is taken as where the dialog writes them. A plugin left out is "Do not upgrade".
    /// </summary>
    public string ClusterModulePluginTargetsField { get; init; } = "spec.upgradeModulesInfos";

    /// <summary>
    /// [assumed] When the Functional Components upgrade counts as available: every field listed (comma-separated
    /// dotted paths) is true on the ClusterModule. The docs wait "10–15 minutes" after upgrade.sh --skip-sync-image
    /// "for the upgrade button of the Functional Components tab to be available" (release-4.2
    /// docs/en/upgrade/upgrade_global_cluster.mdx; "until upgrade notifications appear", release-4.0/4.1) but name no
    /// field; the ClusterModule schema (crds/cluster.alauda.io_clustermodules.yaml) has status.upgradable,
    /// status.needUpgrade and status.unableUpgradeReason.
    /// </summary>
    public string ClusterModuleUpgradeAvailableFields { get; init; } = "status.upgradable,status.needUpgrade";

    /// <summary>
    /// How long to wait for that after the trigger: [doc] 10–15 minutes (same files), doubled as an [assumed] margin.
    /// Overridden as a duration ("00:45:00", "45m", "90s" or minutes).
    /// </summary>
    public TimeSpan ClusterModuleUpgradeAvailableTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>[doc] ClusterVersionShadow cpaas-system/global.</summary>
    public string ClusterVersionShadowNamespace { get; init; } = "cpaas-system";

    public string ClusterVersionShadowName { get; init; } = "global";

    /// <summary>[doc] The field the Cluster Version Operator reads the target from.</summary>
    public string ClusterVersionShadowVersionField { get; init; } = "spec.desiredUpdate.version";

    /// <summary>
    /// [assumed] How long to wait after the trigger for the ClusterVersionShadow to offer the target in
    /// status.availableUpdates: the docs say only "wait a moment" while the controller processes the ProductManifest
    /// (release-4.3 docs/en/ui/cli_tools/ac/upgrading-clusters.md). Overridden as a duration.
    /// </summary>
    public TimeSpan ClusterVersionShadowOfferTimeout { get; init; } = TimeSpan.FromMinutes(10);

    private static readonly string[] Overridable =
    [
        nameof(TriggerCommand), nameof(ClusterModuleName), nameof(ClusterModuleVersionField), nameof(ClusterModulePluginTargetsField), nameof(ClusterModuleUpgradeAvailableFields),
        nameof(ClusterModuleUpgradeAvailableTimeout), nameof(ClusterVersionShadowNamespace), nameof(ClusterVersionShadowName),
        nameof(ClusterVersionShadowVersionField), nameof(ClusterVersionShadowOfferTimeout),
    ];

    /// <summary>
    /// [doc release-4.2 UGC "Known Issue in ACP 4.2.1"] From 4.2.0 to 4.2.1 the dialog shows a lower Target for
    /// cluster plugins: they must be set to "Do not upgrade", and Upgrade must not be pressed a second time, or they
    /// are downgraded. Only cluster plugins, not Operators.
    /// </summary>
    public static bool ShowsLowerPluginTargets(PlatformVersion from, PlatformVersion to) =>
        from.Major == 4 && from.Minor == 2 && from.Patch == 0 && to.Major == 4 && to.Minor == 2 && to.Patch == 1;

    /// <summary>The names -ComponentProfile accepts.</summary>
    public static IReadOnlyList<string> OverridableNames => Overridable;

    /// <summary>The profile for an upgrade to <paramref name="target"/>: 4.3 and later go through the Cluster Version Operator.</summary>
    public static ComponentUpgradeProfile For(PlatformVersion target) => new() { Kind = PlatformLine.For(target).ComponentUpgrade };

    /// <summary>The profile for <paramref name="target"/> with a user's -ComponentProfile overrides applied.</summary>
    public static ComponentUpgradeProfile For(PlatformVersion target, IReadOnlyDictionary<string, string?>? overrides) => For(target).With(overrides);

    /// <summary>Refuses unknown names and unusable values before anything is asked of a cluster (any target: the names are the same).</summary>
    public static void Validate(IReadOnlyDictionary<string, string?>? overrides) => _ = new ComponentUpgradeProfile().With(overrides);

    /// <summary>This profile with the given values replaced (names case-insensitive; an unknown name is refused).</summary>
    public ComponentUpgradeProfile With(IReadOnlyDictionary<string, string?>? overrides)
    {
        if (overrides is null || overrides.Count == 0)
        {
            return this;
        }

        var copy = this with { };
        foreach (var (key, value) in overrides)
        {
            var name = Overridable.FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase))
                ?? throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument,
                    $"'{key}' is not a component profile value. Known: {string.Join(", ", Overridable)}.", key);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument, $"The component profile value '{name}' cannot be empty.", key);
            }

            var property = typeof(ComponentUpgradeProfile).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!;
            property.SetValue(copy, property.PropertyType == typeof(TimeSpan) ? Duration(name, value) : value.Trim());
        }

        return copy;
    }

    /// <summary>The fields of <see cref="ClusterModuleUpgradeAvailableFields"/>, one dotted path each.</summary>
    public IReadOnlyList<string> UpgradeAvailableFields =>
        ClusterModuleUpgradeAvailableFields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static TimeSpan Duration(string name, string value)
    {
        try
        {
            var span = Upgrade.UpgradeSteps.ParseEstimate(name, value);
            if (span > TimeSpan.Zero)
            {
                return span;
            }
        }
        catch (GlobalUpgradeException)
        {
            // Reported below with this parameter's own id.
        }

        throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument,
            $"The component profile value '{name}' ('{value}') is not a positive duration: give '00:45:00', '45m', '90s' or minutes (45).", value);
    }

    /// <summary>The object asked to upgrade, as messages name it.</summary>
    public string ComponentObject => Kind == ComponentUpgradeKind.ClusterModule
        ? $"{AcpResources.ClusterModules}/{ClusterModuleName}"
        : $"{AcpResources.ClusterVersionShadows} {ClusterVersionShadowNamespace}/{ClusterVersionShadowName}";
}
