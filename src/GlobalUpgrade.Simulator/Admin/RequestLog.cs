using System.Collections.Concurrent;

namespace GlobalUpgrade.Simulator.Admin;

/// <summary>One API request as the simulator saw it.</summary>
public sealed record RequestRecord(string Method, string Path, int Status, DateTimeOffset Start, double DurationMs);

/// <summary>
/// The API requests a cluster served (admin calls excluded), so tests can count what a wait asked, and those still
/// being served, so a test can wait for a watch or a log stream to be open instead of sleeping.
/// </summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RequestRecord> records = new();
    private readonly ConcurrentDictionary<long, RequestRecord> inFlight = new();
    private long nextId;

    /// <summary>A request arrived; the id ends it.</summary>
    public long Begin(string method, string path, DateTimeOffset start)
    {
        var id = Interlocked.Increment(ref nextId);
        inFlight[id] = new RequestRecord(method, path, 0, start, 0);
        return id;
    }

    public void End(long id, RequestRecord record)
    {
        inFlight.TryRemove(id, out _);
        Add(record);
    }

    private void Add(RequestRecord record)
    {
        records.Enqueue(record);

        // Bounded so a long demo does not grow without limit.
        while (records.Count > 10_000 && records.TryDequeue(out _))
        {
        }
    }

    /// <summary>The requests served to their end.</summary>
    public IReadOnlyList<RequestRecord> Snapshot() => records.ToArray();

    /// <summary>The requests being served now (a watch or a followed log stays here until it closes).</summary>
    public IReadOnlyList<RequestRecord> InFlight() => inFlight.Values.ToArray();

    public void Clear() => records.Clear();
}
