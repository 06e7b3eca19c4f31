using Google.Protobuf;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Where the keys under a prefix of one etcd cluster lay when a scan last read them: every <see cref="Spacing"/>-th
/// key it read, in key order. A later scan of the same cluster cuts its windows at these keys, so each window holds
/// about what the last scan found there — without the first request's count of the whole range (etcd 3.4 walks all of
/// it) and without the small requests that cross the gaps between namespaces and resources while the estimate learns
/// where the keys are. Only an estimate, like every window end: the keys may have changed since, and a window is still
/// left only when etcd says it returned all of it.
/// </summary>
internal sealed class KeyspaceLayout
{
    private readonly ByteString[] marks;

    private KeyspaceLayout(ByteString[] marks, long keys, long revision, int spacing)
    {
        this.marks = marks;
        Keys = keys;
        Revision = revision;
        Spacing = spacing;
    }

    /// <summary>Keys the scan read.</summary>
    public long Keys { get; }

    /// <summary>The revision the scan read at: an etcd at that address answering an older one is another etcd.</summary>
    public long Revision { get; }

    /// <summary>Keys the scan read between two marks.</summary>
    public int Spacing { get; }

    public int Marks => marks.Length;

    /// <summary>
    /// The end of a window from <paramref name="start"/> that held about <paramref name="keys"/> keys in the last scan:
    /// the mark that many keys after the first mark above start, or null when fewer marks are left (the window runs to
    /// the end of the range).
    /// </summary>
    public ByteString? End(ByteString start, long keys)
    {
        var low = 0;
        var high = marks.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (marks[middle].Span.SequenceCompareTo(start.Span) <= 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        // marks[low] is the first above start: the keys from start up to it are part of a spacing already.
        var index = low + (int)Math.Max(0, (keys / Spacing) - 1);
        return index < marks.Length ? marks[index] : null;
    }

    /// <summary>Notes every <see cref="KeyspaceLayout.Spacing"/>-th key of a scan's pages, handed to it in key order.</summary>
    internal sealed class Recorder(int spacing)
    {
        private readonly List<ByteString> marks = [];
        private long seen;

        public void Note(KeyPage page)
        {
            // The keys at positions spacing, 2 spacing, … of the scan (from 0): each window [mark, next mark) held spacing keys.
            var next = (long)(marks.Count + 1) * spacing;
            while (next < seen + page.Count)
            {
                marks.Add(ByteString.CopyFrom(page.Key((int)(next - seen))));
                next += spacing;
            }

            seen += page.Count;
        }

        public KeyspaceLayout Build(long revision) => new([.. marks], seen, revision, spacing);
    }
}
