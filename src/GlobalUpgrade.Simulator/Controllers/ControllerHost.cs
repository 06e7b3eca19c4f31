namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>Runs the controllers that play the platform, one set per cluster, until the simulator stops.</summary>
internal sealed class ControllerHost(IReadOnlyDictionary<string, SimCluster> clusters, double timeScale, CancellationToken stopping)
{
    private readonly List<Task> _running = [];

    public IReadOnlyDictionary<string, SimCluster> Clusters => clusters;

    public double TimeScale => timeScale;

    public void Start()
    {
    }

    public async Task StopAsync()
    {
        try
        {
            await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
        }
    }
}
