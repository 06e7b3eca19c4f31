using System.Diagnostics;
using System.Numerics;
using System.Text;
using System.Threading.Channels;
using Etcdserverpb;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Reporting;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Reads every key under a prefix of one etcd cluster in pages, every page pinned to the revision of the first,
/// so the scan is one consistent snapshot. A member that fails is replaced by the next endpoint of the same
/// cluster at the same revision; when none is left the scan fails, saying how far it got — never a shorter list.
/// </summary>
internal sealed class KeyspaceScanner(EtcdClientOptions options, EtcdTlsMaterial tls, string prefix, bool withValues, int pageSize, int activityId)
{
    private readonly List<string> failures = [];
    private EtcdClient? client;
    private int endpointIndex;
    private const int ProgressIntervalMs = 250;
    private bool needsLogin;
    private long lastProgress = long.MinValue / 2;

    public string Role => options.Role;

    public long KeysRead { get; private set; }

    public long Revision { get; private set; }

    public ByteString? LastKey { get; private set; }

    /// <summary>The endpoint that is (or was last) answering.</summary>
    public Uri Endpoint => options.Endpoints[Math.Min(endpointIndex, options.Endpoints.Count - 1)];

    /// <summary>Test hook: called after each page with the side and the keys read so far.</summary>
    public Action<string, long>? PageRead { get; init; }

    public async Task RunAsync(ChannelWriter<IReadOnlyList<KeyValue>> writer, CancellationToken cancellationToken)
    {
        try
        {
            var start = ByteString.CopyFromUtf8(prefix);
            var rangeEnd = PrefixEnd(start);
            var window = new KeyWindow(pageSize);
            var end = rangeEnd; // the first request looks at the whole range: its keys tell how dense they are
            while (true)
            {
                var request = new RangeRequest
                {
                    Key = start,
                    RangeEnd = end,
                    Limit = pageSize,
                    KeysOnly = !withValues,
                    Revision = Revision,
                    // The first page is linearizable (the member's newest data decides the revision); later pages
                    // read that fixed revision, which any member that has it answers alike without a raft round.
                    Serializable = Revision != 0,
                    // No SortOrder: etcd returns a range in ascending key order by construction (its index is a
                    // B-tree), and asking for a sort makes etcd 3.4 read the whole remaining range for every page.
                    // The merge checks the order and stops if it is ever violated.
                };
                var started = Stopwatch.GetTimestamp();
                var response = await RangeAsync(request, cancellationToken).ConfigureAwait(false);
                OperationLog.Current.Debug($"{Role}: range from '{Shorten(start)}' to '{Shorten(end)}' → {response.Kvs.Count} keys{(response.More ? ", more" : "")} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms");
                if (Revision == 0)
                {
                    Revision = response.Header.Revision;
                }

                var kvs = response.Kvs;
                KeysRead += kvs.Count;
                if (kvs.Count > 0)
                {
                    LastKey = kvs[^1].Key;
                    await writer.WriteAsync(kvs, cancellationToken).ConfigureAwait(false);
                }

                if (Environment.TickCount64 - lastProgress >= ProgressIntervalMs)
                {
                    // At most a few records a second: Write-Progress is costly and pages can be sub-millisecond.
                    lastProgress = Environment.TickCount64;
                    OperationLog.Current.Progress(new OperationProgress(activityId, $"Reading the {Role} etcd", $"{KeysRead:N0} keys read from {client?.Endpoint} at revision {Revision}"));
                }

                PageRead?.Invoke(Role, KeysRead);
                if (response.More && kvs.Count > 0)
                {
                    // The window held more than a page: go on right after the last key, with a narrower window.
                    window.Learn(kvs, more: true);
                    start = NextKey(kvs[^1].Key);
                }
                else if (end.Equals(rangeEnd))
                {
                    break;
                }
                else
                {
                    // Every key of [start, end) has been read: the next window starts at end.
                    window.Learn(kvs, more: false);
                    start = end;
                }

                end = window.End(start, rangeEnd);
            }

            OperationLog.Current.Progress(new OperationProgress(activityId, $"Reading the {Role} etcd", $"{KeysRead:N0} keys read", Completed: true));
        }
        finally
        {
            client?.Dispose();
        }
    }

    private async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (client is null)
            {
                client = EtcdClient.Open(options.Endpoints[endpointIndex], tls, options.EffectiveTimeout);
                needsLogin = options.UserName is not null;
                OperationLog.Current.Verbose($"Reading the {Role} etcd at {client.Endpoint} ({(withValues ? "keys and values" : "keys only")}, pages of {pageSize} keys{(Revision == 0 ? "" : $", at revision {Revision}")}).");
            }

            try
            {
                if (needsLogin)
                {
                    await client.AuthenticateAsync(options.UserName!, options.Password ?? "", cancellationToken).ConfigureAwait(false);
                    needsLogin = false;
                }

                return await client.Kv.RangeAsync(request, client.Call(cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not GlobalUpgradeException)
            {
                var failure = EtcdFailure.Describe(ex, client);
                failures.Add($"{client.Endpoint}: {failure.Message}");
                OperationLog.Current.Verbose($"The {Role} etcd at {client.Endpoint} failed: {failure.Message}");
                client.Dispose();
                client = null;
                var clusterWide = failure.Category is FailureCategory.InvalidOperation or FailureCategory.AuthenticationError or FailureCategory.PermissionDenied;
                if (clusterWide || endpointIndex + 1 >= options.Endpoints.Count)
                {
                    throw Fail(failure, ex);
                }

                endpointIndex++;
            }
        }
    }

    private GlobalUpgradeException Fail(EtcdFailure last, Exception inner)
    {
        var tried = string.Join(" | ", failures);
        if (Revision == 0)
        {
            return new GlobalUpgradeException(
                ErrorIds.EtcdConnectionFailed,
                last.Category,
                $"The {Role} etcd could not be read, so nothing was compared: {tried}",
                Endpoint.ToString(),
                inner);
        }

        var lastKey = LastKey is null ? "none yet" : $"'{Encoding.UTF8.GetString(LastKey.Span)}'";
        var id = last.Category == FailureCategory.InvalidOperation ? ErrorIds.EtcdRevisionCompacted : ErrorIds.EtcdScanFailed;
        return new GlobalUpgradeException(
            id,
            last.Category,
            $"Reading the {Role} etcd failed after {KeysRead:N0} keys (revision {Revision}, last key read {lastKey}): {tried} The comparison is incomplete, so no result is reported.",
            Endpoint.ToString(),
            inner);
    }

    private static string Shorten(ByteString key)
    {
        var text = Encoding.UTF8.GetString(key.Span).Replace("\0", "\\0", StringComparison.Ordinal);
        return text.Length <= 80 ? text : text[..77] + "...";
    }

    /// <summary>The end of the range of all keys with the prefix, as etcd clients compute it (an empty prefix: every key).</summary>
    internal static ByteString PrefixEnd(ByteString prefix)
    {
        var bytes = prefix.ToByteArray();
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return ByteString.CopyFrom(0);
    }

    /// <summary>The smallest key after <paramref name="key"/>: the key with a zero byte appended.</summary>
    internal static ByteString NextKey(ByteString key)
    {
        var bytes = new byte[key.Length + 1];
        key.Span.CopyTo(bytes);
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }
}

/// <summary>
/// Chooses the end of each range request. etcd walks its index from a request's start to its end whatever the
/// limit (3.4 even collects every revision on the way), so paging over [start, prefixEnd) costs O(keys²/page).
/// Bounding each request by an end key that should hold about a page of keys keeps each walk near a page.
/// The estimate only decides how far a request looks — coverage never depends on it: a window is left only when
/// etcd says it returned all of it (More = false), else the next request starts right after the last key returned.
/// Keys are read as big-endian numbers of their first <see cref="PositionBytes"/> bytes; the width is re-estimated
/// from the density of the keys just read, grows at most 4-fold after a sparse window and ever faster after empty ones
/// (an empty request is cheap; a window far too wide costs a walk of everything in it).
/// </summary>
internal sealed class KeyWindow(int pageSize)
{
    internal const int PositionBytes = 128;

    private static readonly BigInteger Limit = BigInteger.One << (8 * PositionBytes);

    private readonly BigInteger target = Math.Max(1, pageSize * 3L / 4);

    private BigInteger width = BigInteger.One;
    private int emptyInARow;

    internal BigInteger Width => width;

    public ByteString End(ByteString start, ByteString rangeEnd)
    {
        var end = Position(start.Span) + width;
        if (end >= Limit)
        {
            return rangeEnd;
        }

        var key = KeyAt(end);
        var everyKeyAfter = rangeEnd.Length == 1 && rangeEnd[0] == 0; // "\0": every key from start on
        return everyKeyAfter || key.Span.SequenceCompareTo(rangeEnd.Span) < 0 ? key : rangeEnd;
    }

    /// <summary>Learns from the keys one request returned: all of its window (more = false) or its first page.</summary>
    public void Learn(IReadOnlyList<KeyValue> keys, bool more)
    {
        if (keys.Count == 0)
        {
            // Doubling, then quadrupling, …: a gap between dense regions is crossed in a few cheap requests.
            emptyInARow++;
            width <<= emptyInARow;
            return;
        }

        emptyInARow = 0;

        var span = keys.Count >= 2 ? Position(keys[^1].Key.Span) - Position(keys[0].Key.Span) : BigInteger.Zero;
        if (more)
        {
            // A full page: its own keys say how dense the keys are here.
            width = span.IsZero ? BigInteger.Max(BigInteger.One, width / 2) : BigInteger.Max(BigInteger.One, span * target / (keys.Count - 1));
        }
        else
        {
            // A whole window with fewer keys than a page: widen in proportion, at most 4-fold.
            width = BigInteger.Max(BigInteger.One, BigInteger.Min(width * 4, width * target / keys.Count));
        }
    }

    internal static BigInteger Position(ReadOnlySpan<byte> key)
    {
        Span<byte> padded = stackalloc byte[PositionBytes];
        padded.Clear();
        key[..Math.Min(key.Length, PositionBytes)].CopyTo(padded);
        return new BigInteger(padded, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>
    /// The key at <paramref name="position"/> without its trailing zero bytes. It is still above every key whose
    /// position is below: the first byte where they differ is non-zero in it, so it is never trimmed.
    /// </summary>
    internal static ByteString KeyAt(BigInteger position)
    {
        var raw = position.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[PositionBytes];
        raw.CopyTo(padded, PositionBytes - raw.Length);
        var length = PositionBytes;
        while (length > 1 && padded[length - 1] == 0)
        {
            length--;
        }

        return ByteString.CopyFrom(padded, 0, length);
    }
}
