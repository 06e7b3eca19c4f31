using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.ImageSync;

/// <summary>
/// An extracted upgrade package on a node, as the image sync and the upgrade check it: the folder exists and holds
/// upgrade.sh. Its identity is the first line of its 'version' file (when present), the folder's name and the
/// SHA-256 of upgrade.sh.
/// </summary>
public static class UpgradePackage
{
    /// <summary>Reads the package's identity; fails before anything runs when the folder or upgrade.sh is missing.</summary>
    public static async Task<string> ReadIdentityAsync(IRemoteHost host, string packagePath, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"Checking {packagePath}/upgrade.sh on {host.Target.DisplayName}.");
        var (exitCode, output, error) = await host.RunAsync(Check(packagePath), cancellationToken).ConfigureAwait(false);
        return exitCode == 0
            ? output.Trim()
            : throw CheckFailure(exitCode, packagePath, host.Target.DisplayName) ?? new GlobalUpgradeException(ErrorIds.RemoteCommandFailed, FailureCategory.InvalidOperation,
                $"Could not check the package '{packagePath}' on {host.Target.DisplayName} (exit code {exitCode}): {error.Trim()}", packagePath);
    }

    /// <summary>The check as a script (a detached start runs it first): prints the identity, exits 93/94 when unusable.</summary>
    public static string Check(string packagePath) => $$"""
        cd -- {{RemoteHost.Quote(packagePath)}} 2>/dev/null || exit 93
        [ -f upgrade.sh ] || exit 94
        v=$( [ -f version ] && head -n 1 version | head -c 100 || true)
        echo "version=${v:-unknown} package=$(basename "$PWD") upgrade.sh-sha256=$(sha256sum upgrade.sh | cut -c1-64)"
        """;

    /// <summary>The error for an exit code of <see cref="Check"/>; null for any other code.</summary>
    public static GlobalUpgradeException? CheckFailure(int exitCode, string packagePath, string where) => exitCode switch
    {
        93 => new GlobalUpgradeException(ErrorIds.PackagePathNotFound, FailureCategory.ObjectNotFound,
            $"The package folder '{packagePath}' does not exist on {where}. Copy the upgrade package to the node, extract it, and pass the extracted folder as -PackagePath.", packagePath),
        94 => new GlobalUpgradeException(ErrorIds.UpgradeScriptNotFound, FailureCategory.ObjectNotFound,
            $"'{packagePath}' on {where} has no upgrade.sh: -PackagePath must be the extracted upgrade package folder (the one holding upgrade.sh). Nothing was started.", packagePath),
        _ => null,
    };
}
