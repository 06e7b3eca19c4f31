using System.Numerics;
using Google.Protobuf;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Chooses where the windows of a scan end. etcd 3.4 walks its index from a request's start to its end whatever the
/// limit, so paging over [start, prefixEnd) costs O(keys²/page); a window that should hold about three quarters of a page keeps
/// each walk near a page. The estimate only decides how far a request looks — coverage never depends on it: a
/// window is left only when etcd says it returned all of it (more = false).
/// Keys are read as big-endian numbers of their first <see cref="PositionBytes"/> bytes. Every answer carries
/// etcd's exact count of the keys in the requested window, so the width is re-estimated from whole windows
/// (count over width), not only from the keys of one page, which misjudge keys that come in clusters (a run of
/// names, then a gap to the next namespace). A window with too few keys to measure grows the width 4-fold, and
/// faster after four in a row (a gap is crossed in a few cheap requests, and a window that lands past it in dense
/// keys holds at most a few windows' worth); a window with more than a page shrinks it to the narrower of its own
/// density and its first page's.
/// Thread-safe: the windows read at the same time share one estimate.
/// </summary>
internal sealed class KeyWindow(int pageSize)
{
    internal const int PositionBytes = 128;

    private static readonly BigInteger Limit = BigInteger.One << (8 * PositionBytes);

    private readonly object gate = new();

    /// <summary>Keys a window is cut to hold: three quarters of a page, so a denser stretch than estimated still fits.</summary>
    private readonly long target = Math.Max(1, pageSize * 3L / 4);

    private BigInteger width = BigInteger.One;
    private int sparseInARow;

    internal BigInteger Width
    {
        get
        {
            lock (gate)
            {
                return width;
            }
        }
    }

    /// <summary>The end of the next window from <paramref name="start"/>, at most <paramref name="rangeEnd"/>.</summary>
    public ByteString End(ByteString start, ByteString rangeEnd) => EndAt(start, Width, rangeEnd);

    /// <summary>
    /// The end of a narrower window within [start, end), which holds <paramref name="remaining"/> keys (more than
    /// a page): the narrower of the current width and the width that would hold a window's keys were they spread
    /// evenly over [start, end).
    /// </summary>
    public ByteString End(ByteString start, ByteString end, long remaining, KeyPage page, int overshoots)
    {
        var even = Distance(start, end) * target / Math.Max(1, remaining);
        var narrower = BigInteger.Min(Width, even);
        if (overshoots >= 2 && page.Count >= 2)
        {
            // Twice too far in a row: the keys crowd at the start of the window; trust the page's own density too.
            narrower = BigInteger.Min(narrower, Span(page) * target / (page.Count - 1));
        }

        return EndAt(start, BigInteger.Max(BigInteger.One, narrower), end);
    }

    /// <summary>Learns from the first page of the whole range: its keys' spread is the only density known yet.</summary>
    public void LearnFirstPage(KeyPage page)
    {
        lock (gate)
        {
            width = page.Count >= 2 ? BigInteger.Max(BigInteger.One, Span(page) * target / (page.Count - 1)) : BigInteger.One;
        }
    }

    /// <summary>Learns from the answer to a request for [start, end): etcd's count is the keys of the whole window.</summary>
    public void Learn(ByteString start, ByteString end, KeyPage page, int overshoots)
    {
        var distance = Distance(start, end);
        lock (gate)
        {
            if (page.More)
            {
                sparseInARow = 0;
                var estimate = distance * target / page.Total;
                if (page.Count >= 2)
                {
                    estimate = BigInteger.Min(estimate, Span(page) * target / (page.Count - 1));
                }

                width = BigInteger.Max(BigInteger.One, estimate);
            }
            else if (page.Total >= target / 4 && page.Total > 0)
            {
                sparseInARow = 0;
                width = BigInteger.Max(BigInteger.One, distance * target / page.Total);
            }
            else if (overshoots == 0)
            {
                // Too few keys to measure: widen 4-fold, four times; then faster each time in a row (a gap between
                // resources can be 2^100 positions wide), never past what the count suggests.
                sparseInARow = Math.Min(sparseInARow + 1, 64);
                var grown = distance << (2 * Math.Max(1, sparseInARow - 3));
                if (page.Total > 0)
                {
                    grown = BigInteger.Min(grown, distance * target / page.Total);
                }

                width = BigInteger.Max(width, BigInteger.Max(BigInteger.One, grown));
            }
        }
    }

    private static ByteString EndAt(ByteString start, BigInteger distance, ByteString rangeEnd)
    {
        var end = Position(start.Span) + distance;
        if (end >= Limit)
        {
            return rangeEnd;
        }

        var key = KeyAt(end);
        return IsEverythingAfter(rangeEnd) || key.Span.SequenceCompareTo(rangeEnd.Span) < 0 ? key : rangeEnd;
    }

    private static BigInteger Distance(ByteString start, ByteString end) =>
        BigInteger.Max(BigInteger.One, (IsEverythingAfter(end) ? Limit : Position(end.Span)) - Position(start.Span));

    private static BigInteger Span(KeyPage page) => Position(page.LastKey) - Position(page.Key(0));

    /// <summary>"\0" as a range end: every key from the start on.</summary>
    private static bool IsEverythingAfter(ByteString rangeEnd) => rangeEnd.Length == 1 && rangeEnd[0] == 0;

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
