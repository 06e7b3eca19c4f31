using System.Text;
using System.Threading.Channels;
using Etcdserverpb;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Reporting;
using Google.Protobuf;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Reads every key under a prefix of one etcd cluster, pinned to the revision of the first answer, so the scan is
/// one consistent snapshot. After the first page the rest of the range is cut into windows (<see cref="KeyWindow"/>)
/// read several at a time and handed on in key order. A window is left only when etcd says it returned all of it
/// (more = false), so coverage never depends on where the windows were cut. A member that fails is replaced by the
/// next endpoint of the same cluster at the same revision; when none is left the scan fails, saying how far it got
/// — never a shorter list.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "One scanner, one scan: the scan's finally disposes the connection.")]
internal sealed class KeyspaceScanner(EtcdClientOptions options, EtcdTlsMaterial tls, string prefix, bool withValues, int pageSize, int activityId, PageBuffers buffers)
{
    /// <summary>Windows read at the same time: etcd serves concurrent range reads, and one overlaps the next's transfer and parse.</summary>
    public const int DefaultWindowsInFlight = 2;

    /// <summary>
    /// Keys-only requests may return up to this many times the page size once the first answer shows a large
    /// keyspace (a tenth of it per request), while windows are still cut for three quarters of a page: a window the
    /// estimate made up to 2.7 times too wide is then read in one request, where a page limit would make etcd walk
    /// the rest of it again for the next page. Not more: every page in flight is memory (measured at a million keys
    /// per side: 4 times the page size walked 14 % less but took the whole pwsh process past 200 MB).
    /// </summary>
    internal const int MaxPageGrowth = 2;

    /// <summary>
    /// Keys-only requests ask for at most about this many bytes: long keys make fewer keys per request instead of
    /// larger pages. gRPC receives every response into a new array on the large-object heap, which only a full
    /// collection frees, and every page in flight is a buffer too, so the process's peak grows with the pages' bytes,
    /// not their keys. Measured at a million ~120-byte keys per side (fresh pwsh process, peak RSS): pages of 20,000
    /// keys (3 MB) 205–222 MB, at most 2 MB 209–211 MB, 1.5 MB 183–190 MB, 1 MB 186 MB with 10 % more requests. The
    /// default shape's pages (20,000 keys of ~50 bytes, 1.3 MB) stay as they were.
    /// </summary>
    internal const int DefaultMaxPageBytes = 1536 * 1024;

    private const int ProgressIntervalMs = 250;

    private readonly EtcdConnection connection = new(options, tls, withValues, pageSize, buffers);

    // Marks every window's worth of keys read, for the next scan of this cluster (KeyWindow cuts windows for 3/4 of a page).
    private readonly KeyspaceLayout.Recorder recorder = new(Math.Max(1, pageSize * 3 / 4));

    // The count-only requests of the parts stepped over (see CountSkipped); windows add to it concurrently.
    private readonly List<Task<long>> skippedCounts = [];
    private long lastProgress = long.MinValue / 2;

    public string Role => options.Role;

    /// <summary>Keys handed on, in key order.</summary>
    public long KeysRead { get; private set; }

    public long Revision { get; private set; }

    /// <summary>The last key handed on (the scan covered every key up to it).</summary>
    public byte[]? LastKey { get; private set; }

    /// <summary>Range requests made (for -Debug and the tests).</summary>
    public int Requests => connection.Requests;

    /// <summary>Keys etcd walked in its index for all requests (the sum of the counts it returned).</summary>
    public long KeysWalked => connection.KeysWalked;

    public Uri Endpoint => connection.Endpoint;

    public int WindowsInFlight { get; init; } = DefaultWindowsInFlight;

    public ScanHooks? Hooks { get; init; }

    public int MaxPageBytes { get; init; } = DefaultMaxPageBytes;

    /// <summary>The parts not asked for, every key in them excluded (none: the whole prefix is read).</summary>
    public ExcludedRanges? Excluded { get; init; }

    /// <summary>Keys under the prefix at the scan's revision that were not read, being in an excluded range.</summary>
    public long KeysSkipped { get; private set; }

    /// <summary>Where the last scan of this cluster found the keys (none: the estimate learns it from this scan's pages).</summary>
    public KeyspaceLayout? Layout { get; init; }

    /// <summary>Where this scan found the keys, once it has read them all.</summary>
    public KeyspaceLayout? ReadLayout { get; private set; }

    public async Task RunAsync(ChannelWriter<KeyPage> writer, CancellationToken cancellationToken)
    {
        using var scope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var windows = new Queue<Window>();
        try
        {
            var whole = ByteString.CopyFromUtf8(prefix);
            var rangeEnd = PrefixEnd(whole);

            // The first request fixes the revision (linearizable) and etcd's count says how many keys its range holds.
            // With exclusions it covers only up to the first excluded range; with the layout of an earlier scan, only
            // up to where that scan's first window ended (no count of the whole range, which etcd walks whatever the
            // limit). The keys skipped (-ExcludedCount counts them) are counted part by part, each part stepped over
            // counted on its own at the same revision: a count of the whole prefix would make etcd walk its entire
            // index a second time, alongside the scan.
            var layout = Layout;
            var start = Skip(whole);
            var firstEnd = FirstEnd(layout, start, rangeEnd);
            var first = await RangeAsync(start, firstEnd, pageSize, 0, scope.Token).ConfigureAwait(false);
            Revision = first.Revision;
            CountSkipped(whole, start, rangeEnd, scope.Token);
            if (layout is not null && Revision < layout.Revision)
            {
                // An etcd older than the one scanned before answers at this address: what that one held says nothing here.
                layout = null;
            }

            if (layout is not null)
            {
                OperationLog.Current.Debug($"{Role}: windows cut where the last scan of this etcd found the keys ({layout.Keys:N0} keys at revision {layout.Revision}, {layout.Marks:N0} marks).");
            }

            // The window estimate learns from the first page that has keys: excluded ranges may leave the first parts empty.
            while (!first.More && first.Count < 2 && !firstEnd.Equals(rangeEnd) && IsBefore(Skip(firstEnd).Span, rangeEnd))
            {
                await EmitAsync(first, writer, scope.Token).ConfigureAwait(false);
                start = StepOver(firstEnd, rangeEnd, scope.Token);
                firstEnd = FirstEnd(layout, start, rangeEnd);
                first = await RangeAsync(start, firstEnd, pageSize, Revision, scope.Token).ConfigureAwait(false);
            }

            if (!first.More && (firstEnd.Equals(rangeEnd) || !IsBefore(Skip(firstEnd).Span, rangeEnd)))
            {
                // The rest of the prefix, if any, is excluded.
                await EmitAsync(first, writer, scope.Token).ConfigureAwait(false);
                CountSkipped(firstEnd, rangeEnd, rangeEnd, scope.Token);
                await CompleteAsync().ConfigureAwait(false);
                return;
            }

            var limit = withValues ? pageSize : KeysOnlyLimit(first, Math.Max(first.Total, layout?.Keys ?? 0));
            var estimate = new KeyWindow(pageSize);
            estimate.LearnFirstPage(first);
            ByteString? cursor = first.More ? NextKey(first.LastKey) : firstEnd;
            await EmitAsync(first, writer, scope.Token).ConfigureAwait(false);

            while (true)
            {
                while (cursor is not null && windows.Count < Math.Max(1, WindowsInFlight))
                {
                    cursor = StepOver(cursor, rangeEnd, scope.Token);
                    if (!IsBefore(cursor.Span, rangeEnd))
                    {
                        cursor = null;
                        break;
                    }

                    var end = layout is null ? estimate.End(cursor, rangeEnd) : LayoutEnd(layout, cursor, rangeEnd, limit) ?? rangeEnd;
                    if (Hooks?.CutWindow is { } cut)
                    {
                        end = cut(Role, cursor, end);
                    }

                    var window = new Window(cursor, end);
                    window.Task = ReadWindowAsync(window, estimate, limit, fencesBlindWindows: layout is null, scope);
                    windows.Enqueue(window);
                    cursor = end.Equals(rangeEnd) ? null : end;
                }

                if (windows.Count == 0)
                {
                    break;
                }

                var head = windows.Peek();
                await foreach (var page in head.Pages.Reader.ReadAllAsync(scope.Token).ConfigureAwait(false))
                {
                    await EmitAsync(page, writer, scope.Token).ConfigureAwait(false);
                }

                await head.Task!.ConfigureAwait(false); // set when the window was queued
                windows.Dequeue();
            }

            await CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && windows.Select(w => w.Failed).OfType<GlobalUpgradeException>().FirstOrDefault() is { } own)
        {
            // A window stopped the scan itself (etcd broke the protocol): that is the error, not the cancellation.
            throw own;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Failure(ex, windows) is { } failure)
        {
            // Whichever window failed first, the scan stops where its in-order output stopped.
            throw Fail(failure);
        }
        finally
        {
            await scope.CancelAsync().ConfigureAwait(false);
            foreach (var window in windows)
            {
                await Settle(window.Task).ConfigureAwait(false);
            }

            // After the windows: none of them adds a count any more.
            foreach (var counting in SkippedCounts())
            {
                await Settle(counting).ConfigureAwait(false);
            }

            connection.Dispose();
        }
    }

    /// <summary>
    /// The keys per request of a keys-only scan: a tenth of the keyspace (<paramref name="total"/> keys), from the page size to <see cref="MaxPageGrowth"/>
    /// times it, and no more than <see cref="MaxPageBytes"/> hold at the first page's bytes per key — but never below
    /// the page size, for which the windows are cut (keys longer than ~150 bytes make larger pages: -PageSize is the
    /// lever there).
    /// </summary>
    private int KeysOnlyLimit(KeyPage first, long total)
    {
        var limit = Math.Clamp(total / 10, pageSize, (long)pageSize * MaxPageGrowth);
        if (first.Count > 0)
        {
            var bytesPerKey = Math.Max(1, first.Bytes / first.Count);
            limit = Math.Min(limit, Math.Max(pageSize, MaxPageBytes / bytesPerKey));
        }

        return (int)limit;
    }

    /// <summary>
    /// The end of a window from <paramref name="start"/> that held as many keys as a request asks for, three
    /// quarters of them (see <see cref="KeyWindow"/>), in the earlier scan; null: the rest of the range.
    /// </summary>
    private static ByteString? LayoutEnd(KeyspaceLayout? layout, ByteString start, ByteString rangeEnd, int keys = 0)
    {
        var end = layout?.End(start, keys * 3L / 4);
        return end is not null && IsBefore(end.Span, rangeEnd) ? end : null;
    }

    /// <summary>
    /// The end of a first request from <paramref name="start"/>: where the earlier scan's first window ended, or
    /// blind, the end of the range; either cut at the excluded ranges known, and a blind one at the next fence.
    /// </summary>
    private ByteString FirstEnd(KeyspaceLayout? layout, ByteString start, ByteString rangeEnd) =>
        LayoutEnd(layout, start, rangeEnd) is { } end ? Clip(start, end, fenced: false) : Clip(start, rangeEnd);

    private async Task CompleteAsync()
    {
        ReadLayout = recorder.Build(Revision);

        // Every window is done: no count is added any more.
        foreach (var counting in SkippedCounts())
        {
            KeysSkipped += await counting.ConfigureAwait(false);
        }

        OperationLog.Current.Progress(new OperationProgress(activityId, $"Reading the {Role} etcd", $"{KeysRead:N0} keys read", Completed: true));
    }

    /// <summary>A range request of the scan (the tests see each through <see cref="ScanHooks.Requested"/>).</summary>
    private async Task<KeyPage> RangeAsync(ByteString start, ByteString end, int limit, long revision, CancellationToken cancellationToken, bool countOnly = false)
    {
        var page = await connection.RangeAsync(start, end, limit, revision, cancellationToken, countOnly).ConfigureAwait(false);
        Hooks?.Requested?.Invoke(Role, start, end, countOnly, page);
        if (!countOnly)
        {
            Excluded?.Learn(page, end);
        }

        return page;
    }

    /// <summary>The key, or the end of the excluded ranges it is in.</summary>
    private ByteString Skip(ByteString key) => Excluded?.Skip(key) ?? key;

    /// <summary>
    /// The key, or the end of the excluded ranges it is in, with the keys stepped over counted (up to
    /// <paramref name="bound"/>, see <see cref="CountSkipped"/>).
    /// </summary>
    private ByteString StepOver(ByteString key, ByteString bound, CancellationToken cancellationToken)
    {
        var next = Skip(key);
        CountSkipped(key, next, bound, cancellationToken);
        return next;
    }

    private ByteString Clip(ByteString start, ByteString end, bool fenced = true) => Excluded?.Clip(start, end, fenced) ?? end;

    /// <summary>
    /// Counts the keys of [<paramref name="from"/>, <paramref name="to"/>), a part the scan stepped over, at the pinned
    /// revision, without waiting for the answer. The part is cut at <paramref name="bound"/>, the end that applies
    /// where it was stepped over (the prefix's, or the window's: the next window's start steps over the rest), so no
    /// two parts overlap and their counts add up to exactly the keys under the prefix that were not read.
    /// </summary>
    private void CountSkipped(ByteString from, ByteString to, ByteString bound, CancellationToken cancellationToken)
    {
        var end = IsBefore(to.Span, bound) ? to : bound;
        if (from.Equals(end) || !IsBefore(from.Span, end))
        {
            return;
        }

        var counting = CountAsync(from, end, cancellationToken);
        lock (skippedCounts)
        {
            skippedCounts.Add(counting);
        }
    }

    /// <summary>The keys of [start, end) at the pinned revision; the page goes back at once, a count holds no buffer.</summary>
    private async Task<long> CountAsync(ByteString start, ByteString end, CancellationToken cancellationToken)
    {
        var page = await RangeAsync(start, end, 0, Revision, cancellationToken, countOnly: true).ConfigureAwait(false);
        var total = page.Total;
        page.Release();
        return total;
    }

    private Task<long>[] SkippedCounts()
    {
        lock (skippedCounts)
        {
            return [.. skippedCounts];
        }
    }

    /// <summary>Whether <paramref name="key"/> comes before the range end <paramref name="end"/> ("\0": no end).</summary>
    internal static bool IsBefore(ReadOnlySpan<byte> key, ByteString end) =>
        IsEverything(end) || key.SequenceCompareTo(end.Span) < 0;

    /// <summary>Whether a range end is "\0": no end, every key from the start on.</summary>
    internal static bool IsEverything(ByteString end) => end.Length == 1 && end[0] == 0;

    /// <summary>Reads one window [start, end) to its end, in as many requests as it takes, pages in key order.</summary>
    private async Task ReadWindowAsync(Window window, KeyWindow estimate, int limit, bool fencesBlindWindows, CancellationTokenSource scope)
    {
        await Task.Yield();
        try
        {
            var start = window.Start;
            var end = window.End;
            var overshoots = 0;
            while (true)
            {
                // Excluded ranges are stepped over, and no request reaches into one.
                start = StepOver(start, window.End, scope.Token);
                if (!IsBefore(start.Span, window.End))
                {
                    break;
                }

                if (!IsBefore(start.Span, end))
                {
                    end = estimate.End(start, window.End);
                }

                // A window the estimate grew blind stops at the next fence; one cut by a measured density or by the
                // layout of an earlier scan is not split.
                end = Clip(start, end, fenced: fencesBlindWindows && overshoots == 0 && estimate.IsCrossing);

                // Ask for the next page only when the last one has been taken: a window that is not the head holds
                // at most one page, so memory stays at a few pages per side however far ahead the windows run.
                if (!await window.Pages.Writer.WaitToWriteAsync(scope.Token).ConfigureAwait(false))
                {
                    return;
                }

                if (Hooks?.BeforeRequest is { } before)
                {
                    await before(Role, scope.Token).ConfigureAwait(false);
                }

                var page = await RangeAsync(start, end, limit, Revision, scope.Token).ConfigureAwait(false);
                if (page.More && page.Count == 0)
                {
                    throw new GlobalUpgradeException(ErrorIds.EtcdScanFailed, FailureCategory.ProtocolError, $"The {Role} etcd answered a range request with no keys and 'more'; the comparison cannot be trusted and was stopped.", Endpoint.ToString());
                }

                var remaining = page.Total - page.Count;
                var next = page.More && page.Count > 0 ? NextKey(page.LastKey) : null;
                estimate.Learn(start, end, page, overshoots);
                ByteString? nextEnd;
                if (next is null)
                {
                    nextEnd = end.Equals(window.End) ? null : estimate.End(end, window.End);
                    next = end;
                    overshoots = 0;
                }
                else
                {
                    // etcd's count is exact at the pinned revision: the rest of [start, end) holds exactly `remaining`
                    // keys. One more request ends the window when they fit in a page; otherwise look less far.
                    overshoots++;
                    nextEnd = remaining <= limit ? end : estimate.End(next, end, remaining, page);
                }

                await window.Pages.Writer.WriteAsync(page, scope.Token).ConfigureAwait(false);
                if (nextEnd is null)
                {
                    break;
                }

                start = next;
                end = nextEnd;
            }

            window.Pages.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            window.Pages.Writer.TryComplete(ex);
            window.Failed = ex;

            // Stop the other windows and the in-order output at once: the scan cannot complete.
            await scope.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask EmitAsync(KeyPage page, ChannelWriter<KeyPage> writer, CancellationToken cancellationToken)
    {
        var count = page.Count;
        if (count > 0)
        {
            LastKey = page.LastKey.ToArray();
        }

        KeysRead += count;
        recorder.Note(page); // before the page goes on: the merge releases its buffer
        await writer.WriteAsync(page, cancellationToken).ConfigureAwait(false);
        if (Environment.TickCount64 - lastProgress >= ProgressIntervalMs)
        {
            // At most a few records a second: Write-Progress is costly and pages can be sub-millisecond.
            lastProgress = Environment.TickCount64;
            OperationLog.Current.Progress(new OperationProgress(activityId, $"Reading the {Role} etcd", $"{KeysRead:N0} keys read from {connection.Endpoint} at revision {Revision}"));
        }

        Hooks?.PageRead?.Invoke(Role, KeysRead);
    }

    /// <summary>The failure that stopped the scan: the etcd failure of whichever request failed first.</summary>
    private static EtcdScanFailure? Failure(Exception ex, IEnumerable<Window> windows) =>
        ex as EtcdScanFailure ?? windows.Select(w => w.Failed).OfType<EtcdScanFailure>().FirstOrDefault() ?? (ex as OperationCanceledException)?.InnerException as EtcdScanFailure;

    private GlobalUpgradeException Fail(EtcdScanFailure failure)
    {
        if (Revision == 0)
        {
            return new GlobalUpgradeException(
                ErrorIds.EtcdConnectionFailed,
                failure.Last.Category,
                $"The {Role} etcd could not be read, so nothing was compared: {failure.Tried}",
                Endpoint.ToString(),
                failure.InnerException);
        }

        var lastKey = LastKey is null ? "none yet" : $"'{Encoding.UTF8.GetString(LastKey)}'";
        var id = failure.Last.Category == FailureCategory.InvalidOperation ? ErrorIds.EtcdRevisionCompacted : ErrorIds.EtcdScanFailed;
        return new GlobalUpgradeException(
            id,
            failure.Last.Category,
            $"Reading the {Role} etcd failed after {KeysRead:N0} keys (revision {Revision}, last key read {lastKey}): {failure.Tried} The comparison is incomplete, so no result is reported.",
            Endpoint.ToString(),
            failure.InnerException);
    }

    private static async Task Settle(Task? task)
    {
        try
        {
            if (task is not null)
            {
                await task.ConfigureAwait(false);
            }
        }
        catch
        {
            // The first failure is reported; the others are its consequences.
        }
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
    internal static ByteString NextKey(ReadOnlySpan<byte> key)
    {
        var bytes = new byte[key.Length + 1];
        key.CopyTo(bytes);
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    /// <summary>A part [Start, End) of the range, read by its own task; its pages wait here until it is the head.</summary>
    private sealed class Window(ByteString start, ByteString end)
    {
        public ByteString Start { get; } = start;

        public ByteString End { get; } = end;

        // One page ahead at most: a window that is not yet the head waits instead of filling memory.
        public Channel<KeyPage> Pages { get; } = Channel.CreateBounded<KeyPage>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });

        public Task? Task { get; set; }

        public Exception? Failed { get; set; }
    }
}
