using System.Numerics;
using Google.Protobuf;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Chooses where the windows of a scan end. etcd 3.4 walks its index from a request's start to its end whatever the
/// limit, so paging over [start, prefixEnd) costs O(keys²/page); a window that should hold about three quarters of a page keeps
/// each walk near a page. The estimate only decides how far a request looks — coverage never depends on it: a
/// window is left only when etcd says it returned all of it (more = false).
/// Keys are placed on a line by <see cref="KeyScale"/>, which learns the byte values the keys use. Every answer carries
/// etcd's exact count of the keys in the requested window, so the width is re-estimated from whole windows
/// (count over width), not only from the keys of one page, which misjudge keys that come in clusters (a run of
/// names, then a gap to the next namespace). A window with too few keys to measure grows the width 4-fold, and
/// faster after four in a row (a gap is crossed in a few cheap requests), but not past 4 times the narrowest
/// width a full window has had for the first eight empty windows: a grown window that lands in dense keys costs
/// etcd a walk over all of them, which is what the windows are there to avoid; a wider gap is then crossed as fast
/// as before. A window with more than a page shrinks the width to the narrower of its own density and its first
/// page's.
/// Thread-safe: the windows read at the same time share one estimate.
/// </summary>
internal sealed class KeyWindow(int pageSize)
{
    /// <summary>Empty windows in a row while growth is capped; after them a gap is crossed as fast as before.</summary>
    private const int CappedSparseWindows = 8;

    /// <summary>Keys of each page whose byte values the scale learns (besides the last): enough to meet every value a shape uses.</summary>
    private const int ObservedPerPage = 1024;

    private readonly object gate = new();
    private readonly KeyScale scale = new();

    /// <summary>Keys a window is cut to hold: three quarters of a page, so a denser stretch than estimated still fits.</summary>
    private readonly long target = Math.Max(1, pageSize * 3L / 4);

    private BigInteger width = BigInteger.One;
    private BigInteger narrowest = BigInteger.Zero; // zero: no window has been measured yet
    private int sparseInARow;

    /// <summary>Whether the last windows held too few keys to measure: the estimate is growing blind across a gap.</summary>
    public bool IsCrossing
    {
        get
        {
            lock (gate)
            {
                return sparseInARow > 0 || narrowest.IsZero;
            }
        }
    }

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
    public ByteString End(ByteString start, ByteString rangeEnd)
    {
        lock (gate)
        {
            return EndAt(start, width, rangeEnd);
        }
    }

    /// <summary>
    /// The end of a narrower window within [start, end), which holds <paramref name="remaining"/> keys (more than
    /// a page): the narrower of the width that would hold a window's keys were they spread evenly over [start, end)
    /// and the density of the page just read there. Not the shared width: another window may just have widened it
    /// crossing a gap, and a window too narrow costs one more request where one too wide costs a walk.
    /// </summary>
    public ByteString End(ByteString start, ByteString end, long remaining, KeyPage page)
    {
        lock (gate)
        {
            var narrower = Distance(start, end) * target / Math.Max(1, remaining);
            if (page.Count >= 2)
            {
                narrower = BigInteger.Min(narrower, Span(page) * target / (page.Count - 1));
            }

            return EndAt(start, BigInteger.Max(BigInteger.One, narrower), end);
        }
    }

    /// <summary>Learns from the first page of the whole range: its keys' spread is the only density known yet.</summary>
    public void LearnFirstPage(KeyPage page)
    {
        lock (gate)
        {
            Observe(page);
            width = page.Count >= 2 ? BigInteger.Max(BigInteger.One, Span(page) * target / (page.Count - 1)) : BigInteger.One;
            narrowest = page.Count >= 2 ? width : BigInteger.Zero;
        }
    }

    /// <summary>Learns from the answer to a request for [start, end): etcd's count is the keys of the whole window.</summary>
    public void Learn(ByteString start, ByteString end, KeyPage page, int overshoots)
    {
        lock (gate)
        {
            Observe(page);
            var distance = Distance(start, end);
            if (page.More)
            {
                sparseInARow = 0;
                var estimate = distance * target / page.Total;
                if (page.Count >= 2)
                {
                    estimate = BigInteger.Min(estimate, Span(page) * target / (page.Count - 1));
                }

                width = Measured(estimate);
            }
            else if (page.Total >= target / 4 && page.Total > 0)
            {
                sparseInARow = 0;
                width = Measured(distance * target / page.Total);
            }
            else if (overshoots == 0)
            {
                // Too few keys to measure: widen 4-fold, four times; then faster each time in a row (a gap between
                // resources can be 2^100 positions wide), never past what the count suggests. While capped, the
                // count of the steps starts again when the cap ends, so the fast steps come after four more.
                sparseInARow = Math.Min(sparseInARow + 1, 64 + CappedSparseWindows);
                var capped = !narrowest.IsZero && sparseInARow <= CappedSparseWindows;
                var steps = narrowest.IsZero || capped ? sparseInARow : sparseInARow - CappedSparseWindows;
                var grown = distance << (2 * Math.Max(1, steps - 3));
                if (page.Total > 0)
                {
                    grown = BigInteger.Min(grown, distance * target / page.Total);
                }

                if (capped)
                {
                    grown = BigInteger.Min(grown, narrowest << 2);
                }

                width = BigInteger.Max(width, BigInteger.Max(BigInteger.One, grown));
            }
        }
    }

    /// <summary>A width measured on a full window (caller holds the gate): also the narrowest yet, which caps growth.</summary>
    private BigInteger Measured(BigInteger estimate)
    {
        estimate = BigInteger.Max(BigInteger.One, estimate);
        narrowest = narrowest.IsZero ? estimate : BigInteger.Min(narrowest, estimate);
        return estimate;
    }

    /// <summary>Notes the byte values of a page's keys: its first and last and at most <see cref="ObservedPerPage"/> spread over it.</summary>
    private void Observe(KeyPage page)
    {
        if (page.Count == 0)
        {
            return;
        }

        var step = Math.Max(1, page.Count / ObservedPerPage);
        for (var i = 0; i < page.Count; i += step)
        {
            scale.Observe(page.Key(i));
        }

        scale.Observe(page.LastKey);
    }

    /// <summary>The key <paramref name="distance"/> after start on the scale, above start and at most rangeEnd (caller holds the gate).</summary>
    private ByteString EndAt(ByteString start, BigInteger distance, ByteString rangeEnd)
    {
        var end = scale.Position(start.Span) + distance;
        if (end >= KeyScale.Limit)
        {
            return rangeEnd;
        }

        var key = scale.KeyAt(end);
        if (key.AsSpan().SequenceCompareTo(start.Span) <= 0)
        {
            // The scale cannot tell keys apart this close to start (long keys, or a point finer than it reads):
            // end the window after every key that starts with start.
            key = Successor(start.Span);
            if (key.Length == 0)
            {
                return rangeEnd;
            }
        }

        return KeyspaceScanner.IsEverything(rangeEnd) || key.AsSpan().SequenceCompareTo(rangeEnd.Span) < 0 ? UnsafeByteOperations.UnsafeWrap(key) : rangeEnd;
    }

    private BigInteger Distance(ByteString start, ByteString end) =>
        BigInteger.Max(BigInteger.One, (KeyspaceScanner.IsEverything(end) ? KeyScale.Limit : scale.Position(end.Span)) - scale.Position(start.Span));

    private BigInteger Span(KeyPage page) => scale.Position(page.LastKey) - scale.Position(page.Key(0));

    /// <summary>The smallest key above every key that starts with <paramref name="key"/> (empty: none, it is all 0xff).</summary>
    private static byte[] Successor(ReadOnlySpan<byte> key)
    {
        for (var i = key.Length - 1; i >= 0; i--)
        {
            if (key[i] < 0xff)
            {
                var next = key[..(i + 1)].ToArray();
                next[i]++;
                return next;
            }
        }

        return [];
    }
}
