using System.Collections.Concurrent;
using System.Net;
using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Tests.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.ImageSync;

/// <summary>
/// The registry password on the node: on no command line of a process we start (wrapper, shells, awk) — only the
/// vendor script's own argv carries it, because upgrade.sh takes it as an argument — and omitted where 4.3's
/// upgrade.sh reads it from the cpaas-system/registry-admin Secret.
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class RegistrySecretExposureTests(SshdFixture sshd)
{
    private const string Password = "cmdline-Pa55-secret";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NoProcessWeStartCarriesThePasswordOnItsCommandLine(bool remote)
    {
        var folder = TestPaths.NewTempFolder();
        var package = TestPaths.Package(folder);
        File.WriteAllText(Path.Combine(package, "upgrade.sh"), "echo $$ > vendor.pid\necho \"[1/2] image 1\"\nwhile [ ! -f go ]; do sleep 0.02; done\necho \"[2/2] image 2\"\n");
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var target = remote ? sshd.Target() : RemoteTarget.Local;
        var request = new ImageSyncRequest
        {
            Target = target,
            Cluster = "global",
            PackagePath = package,
            RunRoot = Path.Combine(folder, "runs"),
            Registry = "registry.example:5000",
            RegistryCredential = new NetworkCredential("pusher", Password),
        };

        // Every command line that holds the password, seen by a scan that runs for the whole run.
        var carriers = new ConcurrentDictionary<int, string>();
        using var stop = new CancellationTokenSource();
        var scanner = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Scan(carriers);
                await Task.Yield();
            }
        });

        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        var follow = ImageSyncService.FollowAsync(run, target, new FollowOptions(), store, CancellationToken.None);
        var pidFile = Path.Combine(package, "vendor.pid");
        await Eventually.TrueAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), "the vendor script's pid file");

        // The wrapper, its shells and awk are all alive now, the vendor script held: one full scan at this point.
        var vendor = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Scan(carriers);
        File.WriteAllText(Path.Combine(package, "go"), "");
        var done = await follow;
        await stop.CancelAsync();
        await scanner;

        Assert.Equal(ImageSyncState.Succeeded, done.State);
        // The scan works (it sees the vendor script's own argv) and that is the only process that carries it.
        Assert.Contains(vendor, carriers.Keys);
        Assert.All(carriers, c => Assert.StartsWith("bash upgrade.sh --only-sync-image ", c.Value, StringComparison.Ordinal));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task A43PackageWithoutCredentialLetsUpgradeShReadTheRegistryAdminSecret()
    {
        var folder = TestPaths.NewTempFolder();
        var package = TestPaths.Package(folder);
        var store = new ImageSyncStore(Path.Combine(folder, "state"));
        var request = new ImageSyncRequest { Target = sshd.Target(), Cluster = "global", PackagePath = package, RunRoot = Path.Combine(folder, "runs"), Registry = "registry.example:5000" };

        var run = await ImageSyncService.StartAsync(request, store, CancellationToken.None);
        var done = await ImageSyncService.FollowAsync(run, request.Target, new FollowOptions(), store, CancellationToken.None);
        Assert.Equal(ImageSyncState.Succeeded, done.State);
        Assert.DoesNotContain("--password", File.ReadAllText(Path.Combine(run.RunFolder, "cmd")), StringComparison.Ordinal);
        Assert.Contains("cpaas-system/registry-admin", File.ReadAllText(done.LogPath!), StringComparison.Ordinal);

        // A 4.2 package needs the credential: refused before anything runs or is recorded.
        File.WriteAllText(Path.Combine(package, "version"), "v4.2.3\n");
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ImageSyncService.StartAsync(request, store, CancellationToken.None));
        Assert.Equal(ErrorIds.RegistryCredentialMissing, ex.ErrorId);
        Assert.Contains("-RegistryCredential", ex.Message, StringComparison.Ordinal);
        Assert.Single(store.List());
        Assert.Single(Directory.GetDirectories(Path.Combine(folder, "runs")));
        Directory.Delete(folder, true);
    }

    private static void Scan(ConcurrentDictionary<int, string> carriers)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var line = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))).Replace('\0', ' ');
                if (line.Contains(Password, StringComparison.Ordinal))
                {
                    carriers[pid] = line;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
