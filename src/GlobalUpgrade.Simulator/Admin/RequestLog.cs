using System.Collections.Concurrent;

namespace GlobalUpgrade.Simulator.Admin;

/// <summary>One API request as the simulator saw it.</summary>
public sealed record RequestRecord(string Method, string Path, int Status, DateTimeOffset Start, double DurationMs);

/// <summary>The API requests a cluster served (admin calls excluded), so tests can count what a wait asked.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RequestRecord> records = new();

    public void Add(RequestRecord record)
    {
        records.Enqueue(record);

        // Bounded so a long demo does not grow without limit.
        while (records.Count > 10_000 && records.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<RequestRecord> Snapshot() => records.ToArray();

    public void Clear() => records.Clear();
}
