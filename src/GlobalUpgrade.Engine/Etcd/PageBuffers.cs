using System.Collections.Concurrent;
using System.Numerics;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// The buffers of one comparison's pages, reused from page to page: a scan of a million keys then allocates a few
/// page-sized buffers instead of one per page (each large enough for the large-object heap, which only a full GC
/// frees), so the process's peak memory stays near what the pages in flight need. Sizes are powers of two.
/// Thread-safe; what it holds is dropped with it at the end of the comparison.
/// </summary>
internal sealed class PageBuffers
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<byte[]>> bytes = new();
    private readonly ConcurrentDictionary<int, ConcurrentBag<int[]>> ints = new();

    public byte[] RentBytes(int minimumLength) => Rent(bytes, minimumLength);

    public int[] RentFields(int minimumLength) => Rent(ints, minimumLength);

    public void Return(byte[] buffer) => Return(bytes, buffer);

    public void Return(int[] buffer) => Return(ints, buffer);

    private static T[] Rent<T>(ConcurrentDictionary<int, ConcurrentBag<T[]>> pool, int minimumLength)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, 16));
        return pool.TryGetValue(size, out var bag) && bag.TryTake(out var buffer) ? buffer : new T[size];
    }

    private static void Return<T>(ConcurrentDictionary<int, ConcurrentBag<T[]>> pool, T[] buffer)
    {
        if (BitOperations.IsPow2(buffer.Length))
        {
            pool.GetOrAdd(buffer.Length, _ => []).Add(buffer);
        }
    }
}
