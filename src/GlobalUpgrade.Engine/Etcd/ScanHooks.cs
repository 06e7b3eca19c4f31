using Google.Protobuf;

namespace GlobalUpgrade.Etcd;

/// <summary>Test seams of a keyspace scan (all optional; the cmdlets pass none).</summary>
internal sealed class ScanHooks
{
    /// <summary>Called after each page is handed on, with the side ('primary'/'standby') and the keys read so far.</summary>
    public Action<string, long>? PageRead { get; init; }

    /// <summary>Replaces where a planned window ends: (side, start, estimated end) → end, above start.</summary>
    public Func<string, ByteString, ByteString, ByteString>? CutWindow { get; init; }

    /// <summary>Awaited before each range request after the first, with the side.</summary>
    public Func<string, CancellationToken, Task>? BeforeRequest { get; init; }

    /// <summary>Called after each range request with the side, its start and end, whether it only counted, and the answer.</summary>
    public Action<string, ByteString, ByteString, bool, KeyPage>? Requested { get; init; }
}
