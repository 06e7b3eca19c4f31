using System.Diagnostics;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>The console program: READY line, kubeconfig written, exits when its stdin closes.</summary>
public sealed class ConsoleTests
{
    [Fact]
    public async Task PrintsReadyAndExitsWhenStdinCloses()
    {
        var dir = Path.Combine(Path.GetTempPath(), "acp-sim-tests", Guid.NewGuid().ToString("N"));
        var kubeconfig = Path.Combine(dir, "console.kubeconfig");
        var dll = typeof(AcpSimulator).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet", [dll, "--dr", "--kubeconfig", kubeconfig, "--scenario", "healthy"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal($"READY {kubeconfig}", line);
            Assert.True(File.Exists(kubeconfig));
            Assert.Contains("current-context: primary", await File.ReadAllTextAsync(kubeconfig), StringComparison.Ordinal);

            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(dir, true);
        }
    }
}
