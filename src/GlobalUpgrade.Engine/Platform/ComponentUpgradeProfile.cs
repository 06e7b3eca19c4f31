using System.Reflection;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Platform;

/// <summary>
/// How Start-GlobalUpgrade triggers the upgrade and asks for the functional components, per target version. Facts
/// are marked [doc] or [assumed] (acp/README.md); every value can be overridden by name through
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

    /// <summary>[assumed] The spec.upgradeModulesInfos[] entry (schema: name, version) that asks for the Kubernetes upgrade.</summary>
    public string KubernetesModuleName { get; init; } = "kubernetes";

    /// <summary>[assumed] The version written in that entry; null writes the target platform version.</summary>
    public string? KubernetesVersion { get; init; }

    /// <summary>[doc] ClusterVersionShadow cpaas-system/global.</summary>
    public string ClusterVersionShadowNamespace { get; init; } = "cpaas-system";

    public string ClusterVersionShadowName { get; init; } = "global";

    /// <summary>[doc] The field the Cluster Version Operator reads the target from.</summary>
    public string ClusterVersionShadowVersionField { get; init; } = "spec.desiredUpdate.version";

    /// <summary>[assumed] A boolean that asks the Cluster Version Operator to upgrade Kubernetes too.</summary>
    public string ClusterVersionShadowKubernetesField { get; init; } = "spec.desiredUpdate.upgradeKubernetes";

    private static readonly string[] Overridable =
    [
        nameof(TriggerCommand), nameof(ClusterModuleName), nameof(ClusterModuleVersionField), nameof(KubernetesModuleName),
        nameof(KubernetesVersion), nameof(ClusterVersionShadowNamespace), nameof(ClusterVersionShadowName),
        nameof(ClusterVersionShadowVersionField), nameof(ClusterVersionShadowKubernetesField),
    ];

    /// <summary>The names -ComponentProfile accepts.</summary>
    public static IReadOnlyList<string> OverridableNames => Overridable;

    /// <summary>The profile for an upgrade to <paramref name="target"/>: 4.3 and later go through the Cluster Version Operator.</summary>
    public static ComponentUpgradeProfile For(PlatformVersion target) => new() { Kind = PlatformProfile.For(target).ComponentUpgrade };

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
            if (string.IsNullOrWhiteSpace(value) && name != nameof(KubernetesVersion))
            {
                throw new GlobalUpgradeException(ErrorIds.InvalidProfileOverride, FailureCategory.InvalidArgument, $"The component profile value '{name}' cannot be empty.", key);
            }

            typeof(ComponentUpgradeProfile).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.SetValue(copy, string.IsNullOrWhiteSpace(value) ? null : value.Trim());
        }

        return copy;
    }

    /// <summary>The object asked to upgrade, as messages name it.</summary>
    public string ComponentObject => Kind == ComponentUpgradeKind.ClusterModule
        ? $"{AcpResources.ClusterModules}/{ClusterModuleName}"
        : $"{AcpResources.ClusterVersionShadows} {ClusterVersionShadowNamespace}/{ClusterVersionShadowName}";
}
