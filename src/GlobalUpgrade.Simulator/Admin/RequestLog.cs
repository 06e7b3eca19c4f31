using System.Collections.Concurrent;

namespace GlobalUpgrade.Simulator.Admin;

/// <summary>One API request as the simulator saw it.</summary>
public sealed record RequestRecord(string Method, string Path, int Status, DateTimeOffset Start, double DurationMs);

/// <summary>The API requests a cluster served (admin calls excluded), so tests can count what a wait asked.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RequestRecord> _records = new();

    public void Add(RequestRecord record)
    {
        _records.Enqueue(record);

        // Bounded so a long demo does not grow without limit.
        while (_records.Count > 10_000 && _records.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<RequestRecord> Snapshot() => _records.ToArray();

    public void Clear() => _records.Clear();
}
