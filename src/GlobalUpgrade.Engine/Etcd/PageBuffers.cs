namespace GlobalUpgrade.Etcd;

/// <summary>
/// The buffers of one comparison's pages, reused from page to page: a scan of a million keys then allocates a few
/// page-sized buffers instead of one per page (each large enough for the large-object heap, which only a full GC
/// frees), so the process's peak memory stays near what the pages in flight need.
/// A request gets the smallest free buffer that fits, else a new one, and a free buffer too small for it is then
/// dropped: the buffers held never outnumber the pages that were in flight at once, whatever sizes the pages
/// have (one list per size kept a set of buffers for every size the pages ever had). Thread-safe; what it holds
/// is dropped with it at the end of the comparison.
/// </summary>
internal sealed class PageBuffers
{
    /// <summary>New buffers are rounded up to this many elements, plus an eighth, so a slightly larger page reuses them.</summary>
    private const int Granule = 16 * 1024;

    private readonly List<byte[]> bytes = [];
    private readonly List<int[]> ints = [];

    public byte[] RentBytes(int minimumLength) => Rent(bytes, minimumLength);

    public int[] RentFields(int minimumLength) => Rent(ints, minimumLength);

    public void Return(byte[] buffer) => Return(bytes, buffer);

    public void Return(int[] buffer) => Return(ints, buffer);

    /// <summary>Buffers held free, and their elements (for the tests).</summary>
    internal (int Count, long Elements) Free
    {
        get
        {
            lock (bytes)
            {
                lock (ints)
                {
                    return (bytes.Count + ints.Count, bytes.Sum(b => (long)b.Length) + ints.Sum(i => (long)i.Length));
                }
            }
        }
    }

    private static T[] Rent<T>(List<T[]> free, int minimumLength)
    {
        lock (free)
        {
            var best = -1;
            for (var i = 0; i < free.Count; i++)
            {
                if (free[i].Length >= minimumLength && (best < 0 || free[i].Length < free[best].Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                var buffer = free[best];
                free.RemoveAt(best);
                return buffer;
            }

            if (free.Count > 0)
            {
                // None fits: the largest free one is too small for this page, so drop it rather than hold it beside the new one.
                var largest = 0;
                for (var i = 1; i < free.Count; i++)
                {
                    largest = free[i].Length > free[largest].Length ? i : largest;
                }

                free.RemoveAt(largest);
            }
        }

        var length = Math.Max(minimumLength, 16);
        length = length < Granule ? length : (int)Math.Min(Array.MaxLength, ((length + (length / 8L) + Granule - 1) / Granule) * Granule);
        return new T[length];
    }

    private static void Return<T>(List<T[]> free, T[] buffer)
    {
        lock (free)
        {
            free.Add(buffer);
        }
    }
}
