using System.Text;
using GlobalUpgrade.Etcd;
using Google.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>
/// The scale that places keys for the window estimate, and how well the estimate cuts windows over key shapes of
/// several kinds — measured in memory as etcd 3.4 would walk them (the count of every requested window).
/// </summary>
public sealed class KeyScaleTests(ITestOutputHelper output)
{
    [Fact]
    public void PositionsFollowKeyOrderAndObservedKeysComeBackExactly()
    {
        var random = new Random(5);
        var scale = new KeyScale();
        var keys = Shapes(random, 3000).SelectMany(s => s.Keys).ToList();
        foreach (var key in keys.Where((_, i) => i % 3 == 0))
        {
            scale.Observe(key);
        }

        keys.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        for (var i = 1; i < keys.Count; i++)
        {
            Assert.True(scale.Position(keys[i - 1]) <= scale.Position(keys[i]), Encoding.UTF8.GetString(keys[i]));
        }

        foreach (var key in keys.Where((_, i) => i % 3 == 0 && keys[i].Length < KeyScale.Depth))
        {
            Assert.Equal(key, scale.KeyAt(scale.Position(key)));
        }
    }

    [Fact]
    public void KeysBetweenTwoPointsComeBackInOrder()
    {
        var random = new Random(11);
        var scale = new KeyScale();
        foreach (var key in Shapes(random, 500).SelectMany(s => s.Keys))
        {
            scale.Observe(key);
        }

        var points = Enumerable.Range(0, 2000).Select(_ => new System.Numerics.BigInteger(random.NextInt64()) * random.NextInt64() << random.Next(0, 950)).Order().ToList();
        for (var i = 1; i < points.Count; i++)
        {
            Assert.True(scale.KeyAt(points[i - 1]).AsSpan().SequenceCompareTo(scale.KeyAt(points[i])) <= 0);
        }
    }

    /// <summary>
    /// Every shape is read with windows cut by the estimate (one at a time, each answered with etcd's exact count
    /// and at most a page) and the index entries etcd would walk are summed: one walk of every key is the least
    /// possible, the first request's walk of everything comes on top.
    /// </summary>
    [Fact]
    public void WindowsOverManyKeyShapesWalkLittleMoreThanEveryKeyOnce()
    {
        var failures = new List<string>();
        foreach (var (name, keys) in Shapes(new Random(3), 60000))
        {
            var sorted = keys.Distinct(new BytesComparer()).ToList();
            sorted.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
            var (requests, walked) = Simulate(sorted, pageSize: 1000, limit: 1000 * KeyspaceScanner.MaxPageGrowth);
            var windows = walked - sorted.Count; // beyond the first request's walk of everything
            var line = $"{name}: {sorted.Count} keys, {requests} requests, the windows walked {windows} ({(double)windows / sorted.Count:0.00} per key)";
            output.WriteLine(line);
            // Measured 2026-11-30 (pages of 2x the page size): 0.98–1.48 walks per key for names (numbered, hashed,
            // UUIDs, long shared prefixes), 3.1–3.4 for a dense namespace in a sparse background and random binary
            // keys, 5.0 for resources of very different sizes. The bound catches an estimate gone wrong.
            if (windows > 6 * sorted.Count || requests > 6 * sorted.Count / 750)
            {
                failures.Add(line);
            }
        }

        Assert.Empty(failures);
    }

    /// <summary>The scanner's window loop in memory: one window in flight, each answer learned as the scanner does.</summary>
    private static (int Requests, long Walked) Simulate(List<byte[]> keys, int pageSize, int limit)
    {
        var prefix = ByteString.CopyFromUtf8("/registry/");
        var rangeEnd = KeyspaceScanner.PrefixEnd(prefix);
        var window = new KeyWindow(pageSize);
        int requests = 1;
        long walked = keys.Count;
        var first = Page(keys, 0, Math.Min(pageSize, keys.Count), keys.Count);
        window.LearnFirstPage(first);
        var cursor = KeyspaceScanner.NextKey(first.LastKey);
        var read = first.Count;
        while (cursor is not null)
        {
            var windowEnd = window.End(cursor, rangeEnd);
            var start = cursor;
            var end = windowEnd;
            var overshoots = 0;
            while (true)
            {
                var from = LowerBound(keys, start.Span);
                var to = LowerBound(keys, end.Span, end.Equals(rangeEnd));
                var total = to - from;
                var count = Math.Min(total, limit);
                var page = Page(keys, from, count, total);
                requests++;
                walked += total;
                read += count;
                window.Learn(start, end, page, overshoots);
                if (!page.More)
                {
                    if (end.Equals(windowEnd))
                    {
                        break;
                    }

                    (start, end, overshoots) = (end, window.End(end, windowEnd), 0);
                    continue;
                }

                overshoots++;
                start = KeyspaceScanner.NextKey(page.LastKey);
                end = total - count <= limit ? end : window.End(start, end, total - count, page);
            }

            cursor = windowEnd.Equals(rangeEnd) ? null : windowEnd;
            Assert.True(requests < 100000, "the windows do not move on");
        }

        Assert.Equal(keys.Count, read);
        return (requests, walked);
    }

    private static KeyPage Page(List<byte[]> keys, int from, int count, long total) =>
        KeyPage.Of(keys.GetRange(from, count).Select(k => (k, Array.Empty<byte>())).ToList(), more: total > count, total: total);

    private static int LowerBound(List<byte[]> keys, ReadOnlySpan<byte> key, bool everything = false)
    {
        if (everything)
        {
            return keys.Count;
        }

        int low = 0, high = keys.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (keys[middle].AsSpan().SequenceCompareTo(key) < 0)
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

    /// <summary>Key shapes of a Kubernetes store and some that are not: numbered, hashed, skewed, long, binary.</summary>
    private static IEnumerable<(string Name, List<byte[]> Keys)> Shapes(Random random, int n)
    {
        static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
        string Hash(int length, string alphabet) => new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        const string lower = "bcdfghjklmnpqrstvwxz2456789";
        yield return ("numbered per team", Enumerable.Range(0, n).Select(i => B($"/registry/configmaps/team-{i % 700:D3}/cm-{i:D7}")).ToList());
        yield return ("pods with hashes", Enumerable.Range(0, n).Select(i => B($"/registry/pods/ns-{Hash(random.Next(3, 9), "abcdefghijklmnopqrstuvwxyz")}/web-{Hash(10, lower)}-{Hash(5, lower)}")).ToList());
        yield return ("one dense namespace, sparse rest", Enumerable.Range(0, n).Select(i => i % 10 == 0 ? B($"/registry/{Hash(12, "abcdefghijklmnopqrstuvwxyz0123456789-.")}") : B($"/registry/events/kube-system/ev.{i:x12}")).ToList());
        yield return ("resources of very different sizes", Enumerable.Range(0, n).Select(i => B($"/registry/{(i % 97 == 0 ? "apiregistration.k8s.io/apiservices" : i % 7 == 0 ? "secrets" : "leases")}/ns{(i % 97 == 0 ? 0 : i % 13)}/obj-{(ulong)i * 2654435761UL:X}")).ToList());
        yield return ("upper case and uuids", Enumerable.Range(0, n).Select(i => B($"/registry/Custom/{Guid.NewGuid():D}/{(char)('A' + (i % 26))}{i}")).ToList());
        yield return ("long shared prefix", Enumerable.Range(0, n).Select(i => B($"/registry/x/{new string('p', 150)}/{i:D6}")).ToList());
        yield return ("binary", Enumerable.Range(0, n).Select(_ => B("/registry/").Concat(Enumerable.Range(0, random.Next(1, 20)).Select(_ => (byte)random.Next(256))).ToArray()).ToList());
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
