namespace GlobalUpgrade.Simulator.Store;

/// <summary>The log lines of every pod of a cluster; followers are woken when a line is appended.</summary>
public sealed class PodLogs
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<(DateTimeOffset Time, string Line)>> _logs = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Append(string ns, string pod, string line)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            var key = $"{ns}/{pod}";
            if (!_logs.TryGetValue(key, out var lines))
            {
                lines = [];
                _logs[key] = lines;
            }

            lines.Add((DateTimeOffset.UtcNow, line));
            wake = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    /// <summary>Lines from index <paramref name="from"/> on, and a task that completes at the next append anywhere.</summary>
    public (List<(DateTimeOffset Time, string Line)> Lines, Task Next) Read(string ns, string pod, int from)
    {
        lock (_gate)
        {
            var lines = _logs.TryGetValue($"{ns}/{pod}", out var l) ? l.Skip(from).ToList() : [];
            return (lines, _appended.Task);
        }
    }

    public void Forget(string ns, string pod)
    {
        lock (_gate)
        {
            _logs.Remove($"{ns}/{pod}");
        }
    }
}
