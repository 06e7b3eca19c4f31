using Microsoft.Extensions.Hosting;

namespace GlobalUpgrade.Simulator.Hosting;

/// <summary>Keeps the web host from hooking Ctrl+C/SIGTERM: the console program and test hosts own the process lifetime.</summary>
internal sealed class NoopHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
