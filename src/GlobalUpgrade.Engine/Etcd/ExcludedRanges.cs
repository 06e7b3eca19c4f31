using System.Text;
using Google.Protobuf;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// The parts of the keyspace a scan does not ask etcd for, because every key in them is excluded: the range of each
/// prefix rule and, for every namespaced resource seen so far, the range of each excluded namespace in it
/// ("/registry/configmaps/kube-system/"…). Not the Namespace object of a 'namespace:' rule: it is one key, which the
/// merge drops, where stepping over it would cost a count and a split window. Resources are learned from the
/// keys etcd returns (etcd cannot list them), so an excluded namespace of a resource is skipped from the first page
/// that shows the resource on; the keys of such a namespace that come in that same page are read and dropped by the
/// merge. Only keys etcd returned teach a resource: a window's start is often a point the scan estimated, which names
/// no resource that exists, and every range learned costs the scan a count and a split window where it lies. A
/// cluster-scoped resource (its keys have no segment between the resource and the name) has no namespace ranges.
/// Shared by both sides and all windows of a comparison; thread-safe.
/// </summary>
internal sealed class ExcludedRanges
{
    private readonly object gate = new();
    private readonly IReadOnlyList<byte[]> namespaces;
    private readonly HashSet<string> resources = new(StringComparer.Ordinal);
    private readonly List<(byte[] Start, byte[] End)> ranges = [];

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

    /// <summary>Notes the namespaced resources of a page's keys: one key per resource is parsed, the rest of it is jumped over.</summary>
    public void Learn(KeyPage page)
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
            if (!EtcdKeyMatcher.NamespaceOf(key[length..]).IsEmpty)
            {
                Note(resource);
            }

            i = FirstAtOrAfter(page, i + 1, KeyspaceScanner.PrefixEnd(ByteString.CopyFrom(resource)).Span);
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

    /// <summary><paramref name="end"/>, or the start of the first excluded range after <paramref name="start"/> if that comes first.</summary>
    public ByteString Clip(ByteString start, ByteString end)
    {
        lock (gate)
        {
            byte[]? first = null;
            foreach (var (rangeStart, _) in ranges)
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

    private void Note(ReadOnlySpan<byte> resource)
    {
        lock (gate)
        {
            if (!resources.Add(Encoding.Latin1.GetString(resource)))
            {
                return;
            }

            foreach (var ns in namespaces)
            {
                // Every key "<resource><ns>/…": from "<ns>/" to "<ns>0" ('0' follows '/').
                byte[] start = [.. resource, .. ns, (byte)'/'];
                byte[] end = [.. resource, .. ns, (byte)'0'];
                Add(start, end);
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
