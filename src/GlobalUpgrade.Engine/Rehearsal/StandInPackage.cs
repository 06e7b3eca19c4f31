using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Rehearsal;

/// <summary>
/// The stand-in upgrade package a rehearsal runs instead of the vendor's: the module's copy of upgrade.sh (same
/// flags, a realistic log) that tells the simulator, never a real cluster, that the platform reached the target.
/// One copy per cluster, configured by its fake.conf with that simulated cluster's admin URL and token.
/// </summary>
public static class StandInPackage
{
    /// <summary>Where the module ships it (build.ps1 copies tests/fixtures/package there).</summary>
    public static string TemplateDirectory(string moduleDirectory) => Path.Combine(moduleDirectory, "Rehearsal", "StandInPackage");

    public static string Prepare(string templateDirectory, string workDirectory, string kubeconfigPath, string context, string targetVersion)
    {
        if (!File.Exists(Path.Combine(templateDirectory, "upgrade.sh")))
        {
            throw new GlobalUpgradeException(ErrorIds.RehearsalSimulatorNotFound, FailureCategory.ObjectNotFound,
                $"The stand-in package is missing from '{templateDirectory}'. Reinstall the module (./build.ps1 -Task Build lays it out).", templateDirectory);
        }

        var package = Path.Combine(workDirectory, $"package-{context}");
        Directory.CreateDirectory(package);
        foreach (var file in Directory.GetFiles(templateDirectory))
        {
            File.Copy(file, Path.Combine(package, Path.GetFileName(file)), overwrite: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(package, "upgrade.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        var config = KubeconfigReader.Load(kubeconfigPath);
        var entry = KubeconfigReader.FindContext(config, context, kubeconfigPath);
        var server = config.Clusters.First(c => c.Name == entry.ContextDetails.Cluster).ClusterEndpoint.Server;
        var token = config.Users.First(u => u.Name == entry.ContextDetails.User).UserCredentials.Token;
        File.WriteAllText(Path.Combine(package, "version"), targetVersion + "\n");
        File.WriteAllLines(Path.Combine(package, "fake.conf"), ["GU_FAKE_DURATION_MS=500", "GU_FAKE_IMAGES=10", $"GU_SIM_ADMIN_URL={server}", $"GU_SIM_TOKEN={token}"]);
        return package;
    }
}
