using System.Text;
using GlobalUpgrade.Etcd;
using Google.Protobuf;
using Xunit;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>
/// The scale that places keys for the window estimate. How well the estimate cuts windows is measured on the real
/// scanner against a real etcd (<see cref="KeyspaceWindowTests"/>), over the key shapes of <see cref="Shapes"/>.
/// </summary>
public sealed class KeyScaleTests
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

    [Fact]
    public void PlacingAKeyAllocatesLittleMoreThanItsPoint()
    {
        var scale = new KeyScale();
        var keys = Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes($"/registry/monitoring.example.io/eventrecords/payments-team-{i % 30:D3}/gateway-reconciler-bcdfghjklm-{i:D5}.{i * 7919:x16}")).ToList();
        keys.ForEach(k => scale.Observe(k));
        var points = keys.Select(k => scale.Position(k)).ToList(); // the scale's tables are built before measuring

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var key in keys)
        {
            scale.Position(key);
        }

        foreach (var point in points)
        {
            scale.KeyAt(point + 1);
        }

        // A point is a 1024-bit number (about 150 bytes) and KeyAt's key a list and an array; as BigInteger arithmetic
        // the work in between allocated 116 KB per key of this length.
        var perKey = (GC.GetAllocatedBytesForCurrentThread() - before) / (2 * keys.Count);
        Assert.InRange(perKey, 0, 1024);
    }

    /// <summary>Key shapes of a Kubernetes store and some that are not: numbered, hashed, skewed, long, binary.</summary>
    internal static IEnumerable<(string Name, List<byte[]> Keys)> Shapes(Random random, int n)
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

    internal sealed class BytesComparer : IEqualityComparer<byte[]>
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
