namespace GlobalUpgrade.Simulator.Store;

/// <summary>The log lines of every pod of a cluster; followers are woken when a line is appended.</summary>
public sealed class PodLogs
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<(DateTimeOffset Time, string Line)>> logs = [];
    private TaskCompletionSource appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Append(string ns, string pod, string line)
    {
        TaskCompletionSource wake;
        lock (gate)
        {
            var key = $"{ns}/{pod}";
            if (!logs.TryGetValue(key, out var lines))
            {
                lines = [];
                logs[key] = lines;
            }

            lines.Add((DateTimeOffset.UtcNow, line));
            wake = appended;
            appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    /// <summary>Lines from index <paramref name="from"/> on, and a task that completes at the next append anywhere.</summary>
    public (List<(DateTimeOffset Time, string Line)> Lines, Task Next) Read(string ns, string pod, int from)
    {
        lock (gate)
        {
            var lines = logs.TryGetValue($"{ns}/{pod}", out var l) ? l.Skip(from).ToList() : [];
            return (lines, appended.Task);
        }
    }

    public void Forget(string ns, string pod)
    {
        lock (gate)
        {
            logs.Remove($"{ns}/{pod}");
        }
    }
}
