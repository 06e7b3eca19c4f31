using System.Diagnostics;
using GlobalUpgrade.Tests.Remote;

namespace GlobalUpgrade.Tests;

/// <summary>
/// A test server started by one of the starters in tests/fixtures (sshd/start-sshd.sh, etcd/start-etcd.sh; the
/// Pester tests run the same scripts): the starter picks free ports, retries when one was taken, and prints
/// "READY pid=... key=value..." once the server listens; it stays as the server's parent.
/// </summary>
internal sealed class FixtureServer : IDisposable
{
    private readonly Process starter;

    private FixtureServer(Process starter, IReadOnlyDictionary<string, string> fields)
    {
        this.starter = starter;
        Fields = fields;
        ProcessId = int.Parse(fields["pid"], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The server's own process (not the starter's).</summary>
    public int ProcessId { get; }

    /// <summary>The READY line's fields (port=, plain=, tls=...).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <param name="script">The starter, relative to the repository root.</param>
    public static Task<FixtureServer> StartAsync(string script, params string[] arguments) =>
        StartAsync(new Dictionary<string, string>(), script, arguments);

    /// <param name="environment">Variables for the starter (GU_FIXTURE_TIMEOUT, GU_FIXTURE_FIRST_PORTS).</param>
    public static async Task<FixtureServer> StartAsync(IReadOnlyDictionary<string, string> environment, string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The starter stops the server when this pipe closes: also when the test host dies without disposing.
            RedirectStandardInput = true,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(Path.Combine(TestPaths.Root, script));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var starter = Process.Start(info) ?? throw new InvalidOperationException($"{script} did not start");
        var errors = starter.StandardError.ReadToEndAsync();

        // The starter waits for the server's readiness itself, within its own ceiling (GU_FIXTURE_TIMEOUT), then
        // prints READY or exits saying why.
        var line = await starter.StandardOutput.ReadLineAsync().ConfigureAwait(false);
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            await starter.WaitForExitAsync().ConfigureAwait(false);
            var why = await errors.ConfigureAwait(false);
            var exitCode = starter.ExitCode;
            starter.Dispose();
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} did not start its server (exit code {exitCode}): {line}{why}");
        }

        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(field => field.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        return new FixtureServer(starter, fields);
    }

    public static FixtureServer Start(string script, params string[] arguments) =>
        StartAsync(script, arguments).GetAwaiter().GetResult();

    /// <summary>Kills the server at once, with its children (a crash, as far as clients can tell).</summary>
    public void Kill()
    {
        // Closing stdin is the starter's signal to kill the server and reap it; killing the starter along would leave
        // the server to init, which may never reap it.
        try
        {
            starter.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        if (!starter.WaitForExit(60000))
        {
            starter.Kill(entireProcessTree: true);
            starter.WaitForExit(10000);
        }
    }

    public void Dispose()
    {
        Kill();
        starter.Dispose();
    }
}
