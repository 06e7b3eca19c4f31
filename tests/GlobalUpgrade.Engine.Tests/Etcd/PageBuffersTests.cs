using GlobalUpgrade.Etcd;
using Xunit;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>The page buffers: reused whatever the pages' sizes, never more held than were in use at once.</summary>
public sealed class PageBuffersTests
{
    [Fact]
    public void PagesOfChangingSizesReuseBuffersAndHoldNoMoreThanWereInUseAtOnce()
    {
        var buffers = new PageBuffers();
        var random = new Random(5);
        var allocated = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        var inUse = new List<byte[]>();
        var mostInUse = 0;
        for (var i = 0; i < 2000; i++)
        {
            // Up to four pages at once, of 1 KB to 3 MB (long keys make larger pages than short ones).
            if (inUse.Count < 4 && (inUse.Count == 0 || random.Next(2) == 0))
            {
                var length = random.Next(1024, 3 * 1024 * 1024);
                var buffer = buffers.RentBytes(length);
                Assert.True(buffer.Length >= length);
                allocated.Add(buffer);
                inUse.Add(buffer);
                mostInUse = Math.Max(mostInUse, inUse.Count);
            }
            else
            {
                var index = random.Next(inUse.Count);
                buffers.Return(inUse[index]);
                inUse.RemoveAt(index);
            }

            Assert.True(buffers.Free.Count + inUse.Count <= mostInUse, $"{buffers.Free.Count} free and {inUse.Count} in use, at most {mostInUse} were in use at once");
        }

        // Reused, not one per page: a new buffer only when none free was large enough.
        Assert.True(allocated.Count < 200, $"{allocated.Count} buffers for about 1,000 pages");
    }

    [Fact]
    public void TheSmallestFreeBufferThatFitsIsTaken()
    {
        var buffers = new PageBuffers();
        var large = buffers.RentBytes(2_000_000);
        var small = buffers.RentBytes(100_000);
        buffers.Return(large);
        buffers.Return(small);

        Assert.Same(small, buffers.RentBytes(90_000));
        Assert.Same(large, buffers.RentBytes(100_001));
    }
}
