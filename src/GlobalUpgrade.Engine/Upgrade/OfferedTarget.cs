using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// The 4.3+ request's version as the docs write it, and only one the Cluster Version Operator offers. The docs
/// request <c>spec.desiredUpdate.version: 4.3.0</c> (no <c>v</c>) and the CLI requests only versions listed in the
/// ClusterVersionShadow's <c>status.availableUpdates</c> (published from a ProductManifest)
/// [doc: release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx "Request the upgrade",
/// docs/en/ui/cli_tools/ac/upgrading-clusters.md "Updating to a Specific Version"]. Input may be written
/// <c>v4.3.0</c>, <c>4.3.0</c> or, when exactly one offered version is of that line, <c>4.3</c>.
/// </summary>
public static class OfferedTarget
{
    /// <summary>The documented spelling: "v4.3.0" → "4.3.0" (a suffix such as "-hotfix.1" is kept).</summary>
    public static string Spell(string version)
    {
        var text = version.Trim();
        return text.StartsWith('v') || text.StartsWith('V') ? text[1..] : text;
    }

    /// <summary>True for a release line without a patch ("4.3", "v4.3"), which only an offer can make a version.</summary>
    public static bool IsLine(string version) =>
        PlatformVersion.TryParse(version, out var parsed) && Spell(parsed.Text).Count(c => c == '.') == 1 && !parsed.Text.Contains('-', StringComparison.Ordinal);

    /// <summary>True when <paramref name="offered"/> lists <paramref name="target"/> in any spelling (a line: any version of it; <see cref="Resolve"/> refuses several).</summary>
    public static bool IsOffered(string target, IReadOnlyList<string> offered) => Matches(target, offered).Count > 0;

    /// <summary>
    /// The version to write for <paramref name="target"/>: the offered entry it names, in the documented spelling.
    /// Throws TargetVersionNotOffered (the offered versions in the message) or TargetVersionAmbiguous (a line that
    /// matches several offered versions). <paramref name="consequence"/> ends the message ("Nothing was changed.").
    /// </summary>
    public static string Resolve(string target, IReadOnlyList<string> offered, string cluster, string consequence)
    {
        var matches = Matches(target, offered);
        if (matches.Count == 1)
        {
            return Spell(matches[0]);
        }

        if (matches.Count > 1)
        {
            throw new GlobalUpgradeException(ErrorIds.TargetVersionAmbiguous, FailureCategory.InvalidArgument,
                $"'{target}' names a release line, and the Cluster Version Operator of {cluster} offers several versions of it: {string.Join(", ", matches.Select(Spell))}. " +
                $"Give the exact version, e.g. -TargetVersion {Spell(matches[^1])}. {consequence}", target);
        }

        throw new GlobalUpgradeException(ErrorIds.TargetVersionNotOffered, FailureCategory.InvalidOperation,
            $"The Cluster Version Operator of {cluster} does not offer {Spell(target)}: ClusterVersionShadow cpaas-system/global status.availableUpdates lists {List(offered)}. " +
            "It upgrades to a version it offers; the offer comes from the target's ProductManifest (ac adm release import-manifest --version <version>, then wait until 'ac adm upgrade' lists it). " +
            $"Check the package and -TargetVersion. {consequence}", target);
    }

    /// <summary>
    /// Before any change: refuses (TargetVersionNotOffered / TargetVersionAmbiguous) a target the cluster's
    /// ClusterVersionShadow does not offer, when it exists and has not been asked for the target already. Without one
    /// (before the first 4.3 upgrade: upgrade.sh --skip-sync-image deploys the operator [doc: release-4.3
    /// upgrade_global_cluster.mdx "Deploy the cluster version operator"]) nothing can be checked yet; the request
    /// checks again (<see cref="ComponentUpgrade"/>).
    /// </summary>
    public static void RefuseUnoffered(ComponentState components, string target, string cluster)
    {
        if (components.Kind == ComponentUpgradeKind.ClusterVersionShadow && components.Exists && !components.AsksFor(target) && !components.IsAt(target))
        {
            _ = Resolve(target, components.ClusterVersionShadow?.AvailableUpdates ?? [], cluster, "Nothing was changed.");
        }
    }

    /// <summary><see cref="RefuseUnoffered(ComponentState, string, string)"/> for a cluster read now (4.3+ targets only).</summary>
    public static async Task RefuseUnofferedAsync(ClusterConnection cluster, string target, CancellationToken cancellationToken)
    {
        var profile = ComponentUpgradeProfile.For(PlatformVersion.Parse(target));
        if (profile.Kind == ComponentUpgradeKind.ClusterVersionShadow)
        {
            RefuseUnoffered(ComponentState.Read(await ComponentUpgrade.ReadObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false), profile), target, cluster.Name);
        }
    }

    /// <summary>The offered versions for messages and views: "4.3.0, 4.3.1", or "nothing".</summary>
    public static string List(IReadOnlyList<string> offered) => offered.Count == 0 ? "nothing" : string.Join(", ", offered.Select(Spell));

    private static List<string> Matches(string target, IReadOnlyList<string> offered)
    {
        if (!IsLine(target))
        {
            return offered.Where(o => Versions.Same(o, target)).Take(1).ToList();
        }

        var line = PlatformVersion.Parse(target);
        return offered.Where(o => PlatformVersion.TryParse(o, out var v) && v.Major == line.Major && v.Minor == line.Minor)
            .DistinctBy(Spell, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
