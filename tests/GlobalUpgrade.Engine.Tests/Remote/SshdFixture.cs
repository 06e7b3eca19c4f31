using System.Diagnostics;
using GlobalUpgrade.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

/// <summary>
/// A real OpenSSH server (Debian openssh-server) on a free loopback port, with generated host and user keys
/// (tests/fixtures/sshd/prepare-sshd.sh). Tests log in as the current user (root in CI) with the user key.
/// </summary>
public sealed class SshdFixture : IDisposable
{
    private readonly FixtureServer sshd;

    public SshdFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "gu-sshd-" + Guid.NewGuid().ToString("N")[..8]);
        // The starter picks the port, retries when it was taken and returns once sshd listens (shared with Pester); it
        // says what to install when /usr/sbin/sshd is missing.
        sshd = FixtureServer.Start("tests/fixtures/sshd/start-sshd.sh", Directory);
        Port = int.Parse(sshd.Fields["port"], System.Globalization.CultureInfo.InvariantCulture);
        HostFingerprint = File.ReadAllText(Path.Combine(Directory, "host_fingerprint")).Trim();
    }

    public string Directory { get; }

    public int Port { get; }

    public int ServerProcessId => sshd.ProcessId;

    public string HostFingerprint { get; }

    public string KnownHosts => Path.Combine(Directory, "known_hosts");

    public string UserKey => Path.Combine(Directory, "user_ed25519");

    public RemoteTarget Target(Func<RemoteTarget, RemoteTarget>? change = null)
    {
        var target = new RemoteTarget
        {
            ComputerName = "127.0.0.1",
            Port = Port,
            UserName = Environment.UserName,
            KeyFilePath = UserKey,
            KnownHostsPath = KnownHosts,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        return change is null ? target : change(target);
    }

    /// <summary>The per-connection sshd processes (children of the listener): killing them drops the sessions.</summary>
    public IReadOnlyList<int> SessionProcessIds()
    {
        var path = $"/proc/{sshd.ProcessId}/task/{sshd.ProcessId}/children";
        return File.Exists(path)
            ? File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList()
            : [];
    }

    public void Dispose()
    {
        sshd.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }

        return output.Result;
    }
}

[CollectionDefinition(Name)]
public sealed class SshdCollection : ICollectionFixture<SshdFixture>
{
    public const string Name = "sshd";
}

internal static class TestPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GlobalUpgrade.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (GlobalUpgrade.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>A copy of the stand-in package with its behaviour set in fake.conf.</summary>
    public static string Package(string folder, int durationMs = 300, int images = 5, int exitCode = 0)
    {
        var package = Path.Combine(folder, "package");
        System.IO.Directory.CreateDirectory(package);
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(Root, "tests/fixtures/package")))
        {
            File.Copy(file, Path.Combine(package, Path.GetFileName(file)), overwrite: true);
        }

        File.WriteAllText(Path.Combine(package, "fake.conf"), $"GU_FAKE_DURATION_MS={durationMs}\nGU_FAKE_IMAGES={images}\nGU_FAKE_EXIT={exitCode}\n");
        return package;
    }

    public static string NewTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "gu-test-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
