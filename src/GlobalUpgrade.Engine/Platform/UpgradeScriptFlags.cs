using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Platform;

/// <summary>
/// upgrade.sh options that only some versions document, passed only to a package whose version has them: an older
/// script would refuse an option it does not know, after the run was already started.
/// </summary>
public static class UpgradeScriptFlags
{
    /// <summary>
    /// [doc] "To bypass artifact validation when it is known to be redundant, add --skip-check-artifacts" (release-4.3
    /// docs/en/upgrade/upgrade_global_cluster.mdx, "Sync upgrade artifacts"); not in release-4.0…4.2.
    /// </summary>
    public const string SkipCheckArtifacts = "--skip-check-artifacts";

    /// <summary>
    /// The image-sync flag as the package's line spells it (<see cref="PlatformLine.ImageSyncFlag"/>). A package whose
    /// version file is missing or unreadable has no line: it gets the spelling of 4.0…4.2 (the module's choice, not a
    /// fact; a script that does not know it refuses it at once, before any image is pushed, and says so in the run's log).
    /// </summary>
    public static string ImageSyncOf(string? packageVersion)
    {
        if (PlatformLine.Of(packageVersion) is { } line)
        {
            return line.ImageSyncFlag;
        }

        OperationLog.Current.Verbose($"The package's version is '{packageVersion ?? "unknown"}': passing upgrade.sh {PlatformLine.V42.ImageSyncFlag}, the spelling of 4.0…4.2.");
        return PlatformLine.V42.ImageSyncFlag;
    }

    /// <summary>Whether upgrade.sh of <paramref name="version"/> has <paramref name="flag"/>.</summary>
    public static bool Has(PlatformVersion version, string flag) => flag switch
    {
        SkipCheckArtifacts => PlatformLine.For(version).HasSkipCheckArtifacts,
        _ => false,
    };

    /// <summary>Refuses <paramref name="flag"/> for a target version whose upgrade.sh does not have it (before anything runs); returns the version.</summary>
    public static PlatformVersion Require(string targetVersion, string flag, string parameter) =>
        PlatformVersion.TryParse(targetVersion, out var version) && Has(version, flag) ? version : throw Unsupported(flag, parameter, targetVersion, "the target version");

    /// <summary>Reads the package's version on the node and refuses <paramref name="flag"/> when its upgrade.sh does not have it; <paramref name="refused"/> runs first.</summary>
    public static async Task RequireAsync(IRemoteHost host, string packagePath, string flag, string parameter, Action refused, CancellationToken cancellationToken)
    {
        var version = PackageVersion.FromIdentity(await UpgradePackage.ReadIdentityAsync(host, packagePath, cancellationToken).ConfigureAwait(false));
        if (!PlatformVersion.TryParse(version, out var parsed) || !Has(parsed, flag))
        {
            refused();
            throw Unsupported(flag, parameter, version ?? "unknown", $"the package in {packagePath}");
        }
    }

    private static GlobalUpgradeException Unsupported(string flag, string parameter, string version, string what) =>
        new(ErrorIds.UpgradeScriptFlagUnsupported, FailureCategory.InvalidArgument,
            $"{parameter} passes upgrade.sh {flag}, which the docs give only from 4.3; {what} is version '{version}'. Leave out {parameter}. Nothing was started.", parameter);
}
