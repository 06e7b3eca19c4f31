using System.Text;
using Google.Protobuf;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// The parts of the keyspace a scan does not ask etcd for, because every key in them is excluded: the range of each
/// prefix rule and, for a namespaced resource, the range of an excluded namespace in it ("/registry/secrets/cpaas-system/")
/// once etcd has returned keys of it that show it is worth stepping over — the page that brought them ends inside it
/// (more may follow), or holds at least <see cref="KeysWorthSkipping"/> of them. Each range stepped over costs the scan
/// a split window and a count of its keys, two requests: an excluded namespace that holds nothing of a resource, or a
/// few keys, costs less read and dropped by the merge (on a global cluster's shape, 14 excluded namespaces in every
/// namespaced resource made the standby's scan several hundred requests, most of them for nothing). Etcd cannot list
/// what a range holds, so only keys it returned teach a range: a window's start is often a point the scan estimated.
/// A cluster-scoped resource (its keys have no segment between the resource and the name) has no namespace ranges.
/// The start of every excluded namespace of a namespaced resource seen is a fence: a request whose end the estimate
/// chose blind (crossing a gap, or the first) stops there, for etcd walks a request's whole range and a window grown
/// across a gap can land in dense keys; a request read through a fence costs nothing more.
/// Shared by both sides and all windows of a comparison (a range one side learned, the other steps over from the
/// start); thread-safe.
/// </summary>
internal sealed class ExcludedRanges
{
    private readonly object gate = new();
    private readonly IReadOnlyList<byte[]> namespaces;
    private readonly HashSet<string> learned = new(StringComparer.Ordinal);
    private readonly HashSet<string> resources = new(StringComparer.Ordinal);
    private readonly List<(byte[] Start, byte[] End)> ranges = [];
    private readonly List<byte[]> fences = [];

    public ExcludedRanges(EtcdKeyMatcher matcher)
    {
        namespaces = matcher.Namespaces;
        foreach (var prefix in matcher.Prefixes)
        {
            Add(prefix, KeyspaceScanner.PrefixEnd(ByteString.CopyFrom(prefix)).ToByteArray());
        }
    }

    /// <summary>The ranges known now (for the tests and -Debug).</summary>
    public IReadOnlyList<(byte[] Start, byte[] End)> Known
    {
        get
        {
            lock (gate)
            {
                return ranges.ToArray();
            }
        }
    }

    /// <summary>
    /// Keys of an excluded namespace of a resource one page must hold for the rest of its range to be stepped over when
    /// the page does not end inside it: about what the two requests of stepping over cost etcd and the scan.
    /// </summary>
    internal const int KeysWorthSkipping = 512;

    /// <summary>Notes the excluded namespace ranges a page of the range up to <paramref name="end"/> shows are worth stepping over (see the class summary).</summary>
    public void Learn(KeyPage page, ByteString end)
    {
        if (namespaces.Count == 0)
        {
            return;
        }

        var i = 0;
        while (i < page.Count)
        {
            var key = page.Key(i);
            var length = EtcdKeyMatcher.ResourcePartLength(key);
            if (length == 0)
            {
                i++;
                continue;
            }

            var resource = key[..length];
            var resourceEnd = FirstAtOrAfter(page, i + 1, KeyspaceScanner.PrefixEnd(ByteString.CopyFrom(resource)).Span);
            if (!EtcdKeyMatcher.NamespaceOf(key[length..]).IsEmpty)
            {
                AddFences(resource);
                foreach (var ns in namespaces)
                {
                    var (rangeStart, rangeEnd) = NamespaceRange(resource, ns);
                    var first = FirstAtOrAfter(page, i, rangeStart);
                    var after = FirstAtOrAfter(page, first, rangeEnd);
                    if (first < after && ((after == page.Count && ContinuesPast(page, end, rangeEnd)) || after - first >= KeysWorthSkipping))
                    {
                        AddOnce(rangeStart, rangeEnd);
                    }
                }
            }

            i = resourceEnd;
        }
    }

    /// <summary>The first key at or after <paramref name="key"/> that is in no excluded range.</summary>
    public ByteString Skip(ByteString key)
    {
        lock (gate)
        {
            var span = key.Span;
            byte[]? moved = null;
            for (var found = true; found;)
            {
                found = false;
                foreach (var (start, end) in ranges)
                {
                    if (span.SequenceCompareTo(start) >= 0 && span.SequenceCompareTo(end) < 0)
                    {
                        moved = end;
                        span = end;
                        found = true;
                    }
                }
            }

            return moved is null ? key : UnsafeByteOperations.UnsafeWrap(moved);
        }
    }

    /// <summary>
    /// <paramref name="end"/>, or the start of the first excluded range after <paramref name="start"/> if that comes
    /// first — or, <paramref name="fenced"/>, of the first excluded range or fence.
    /// </summary>
    public ByteString Clip(ByteString start, ByteString end, bool fenced)
    {
        lock (gate)
        {
            byte[]? first = null;
            foreach (var rangeStart in fenced ? ranges.Select(r => r.Start).Concat(fences) : ranges.Select(r => r.Start))
            {
                if (rangeStart.AsSpan().SequenceCompareTo(start.Span) > 0 && KeyspaceScanner.IsBefore(rangeStart, end) &&
                    (first is null || rangeStart.AsSpan().SequenceCompareTo(first) < 0))
                {
                    first = rangeStart;
                }
            }

            return first is null ? end : UnsafeByteOperations.UnsafeWrap(first);
        }
    }

    /// <summary>
    /// Whether a range the page ends in may hold more keys than the page brought: etcd has more of the request's range
    /// to give, or the request ended inside the range.
    /// </summary>
    private static bool ContinuesPast(KeyPage page, ByteString requestEnd, byte[] rangeEnd) =>
        page.More || (!KeyspaceScanner.IsEverything(requestEnd) && requestEnd.Span.SequenceCompareTo(rangeEnd) < 0);

    /// <summary>Every key "&lt;resource&gt;&lt;ns&gt;/…": from "&lt;ns&gt;/" to "&lt;ns&gt;0" ('0' follows '/').</summary>
    private static (byte[] Start, byte[] End) NamespaceRange(ReadOnlySpan<byte> resource, byte[] ns) =>
        ([.. resource, .. ns, (byte)'/'], [.. resource, .. ns, (byte)'0']);

    private void AddFences(ReadOnlySpan<byte> resource)
    {
        lock (gate)
        {
            if (resources.Add(Encoding.Latin1.GetString(resource)))
            {
                foreach (var ns in namespaces)
                {
                    fences.Add(NamespaceRange(resource, ns).Start);
                }
            }
        }
    }

    private void AddOnce(byte[] start, byte[] end)
    {
        lock (gate)
        {
            if (learned.Add(Encoding.Latin1.GetString(start)))
            {
                ranges.Add((start, end));
            }
        }
    }

    private void Add(byte[] start, byte[] end)
    {
        lock (gate)
        {
            ranges.Add((start, end));
        }
    }

    /// <summary>The index of the first key of the (sorted) page at or after <paramref name="key"/>, from <paramref name="from"/> on.</summary>
    private static int FirstAtOrAfter(KeyPage page, int from, ReadOnlySpan<byte> key)
    {
        int low = from, high = page.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (page.Key(middle).SequenceCompareTo(key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
