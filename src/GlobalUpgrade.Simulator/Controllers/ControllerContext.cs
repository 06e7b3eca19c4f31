using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>What every controller shares: scaled delays, background work that is awaited at stop, errors swallowed with a trace.</summary>
internal sealed class ControllerContext(double timeScale, CancellationToken stopping)
{
    private readonly List<Task> tasks = [];
    private readonly Lock gate = new();

    public CancellationToken Stopping => stopping;

    public Task Delay(double seconds) => Delay(seconds, stopping);

    public Task Delay(double seconds, CancellationToken token) => Task.Delay(TimeSpan.FromSeconds(Math.Max(0, seconds * timeScale)), token);

    /// <summary>Runs work in the background; a simulator controller must never take the process down.</summary>
    public void Spawn(Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
                // The object changed or vanished under us (a test deleted it): nothing left to do.
            }
            catch (Exception e)
            {
                System.Diagnostics.Trace.TraceError($"simulator controller failed: {e}");
            }
        });
        lock (gate)
        {
            tasks.RemoveAll(t => t.IsCompleted);
            tasks.Add(task);
        }
    }

    public Task WhenAll()
    {
        lock (gate)
        {
            return Task.WhenAll(tasks.ToArray());
        }
    }
}
