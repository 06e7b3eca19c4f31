using System.Numerics;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Places keys on a line in key order, so the windows of a scan can be measured and cut where the keys are. Names use
/// few of the 256 byte values at each position (decimal numbering: 10), so read as plain big-endian numbers most of
/// the line is room no key is in: between "team-0009" and "team-0010" lie 246 unused values of the last digit, and a
/// window cut by average density either holds nothing or ten times too much. Here a key is an arithmetic code of
/// its first <see cref="Depth"/> bytes: at each position the room of each byte value (and of "the key ends here")
/// is its weight: <see cref="SeenWeight"/> for a value seen at that position in the keys read so far, and for every
/// value of its class (a digit stands for all ten digits, a letter for all letters of its case: a numbered name will
/// use the other digits further on), 1 for the others. Values not seen yet keep some room, so keys of a shape not
/// met yet are still on the line, and a window that reaches into them holds at most about SeenWeight times its
/// share, which the page limit absorbs or etcd's count corrects.
/// The scale learns as keys are read; a point computed before it learned more is only an estimate, which is all a
/// window's end is (coverage never depends on it). Not thread-safe: <see cref="KeyWindow"/> holds its lock.
/// </summary>
internal sealed class KeyScale
{
    /// <summary>Key bytes that place a key: keys that share more land on one point (windows still move on).</summary>
    internal const int Depth = 256;

    /// <summary>The room of a value seen at a position over one not seen there: 10 digits then fill 57 % of a position.</summary>
    internal const int SeenWeight = 32;

    /// <summary>
    /// The line's length: a value seen at a position takes about 4 bits of it, one not seen about 9, so 1024 bits
    /// place keys well past the 128 bytes read (deeper, keys share a point and the window still moves on).
    /// </summary>
    public static readonly BigInteger Limit = BigInteger.One << 1024;

    // Symbols per position: 0 = the key ends here, 1 + b = byte b.
    private const int Symbols = 257;
    private const int WordsPerPosition = (Symbols + 63) / 64;

    private readonly ulong[] seen = new ulong[Depth * WordsPerPosition];

    // Per position, the total weight of the symbols below each symbol (Symbols + 1 entries); null until needed again.
    private readonly int[]?[] below = new int[]?[Depth];

    /// <summary>Notes the values of a key read from etcd.</summary>
    public void Observe(ReadOnlySpan<byte> key)
    {
        var length = Math.Min(key.Length, Depth);
        for (var p = 0; p < length; p++)
        {
            var (first, last) = Class(key[p]);
            for (var b = first; b <= last; b++)
            {
                Mark(p, b + 1);
            }
        }

        if (key.Length < Depth)
        {
            Mark(key.Length, 0);
        }
    }

    /// <summary>The point where the key starts: every key above it is at the same point or after.</summary>
    public BigInteger Position(ReadOnlySpan<byte> key)
    {
        var low = BigInteger.Zero;
        var size = Limit;
        for (var p = 0; p < Depth && !size.IsZero; p++)
        {
            var cumulative = Below(p);
            var total = cumulative[Symbols];
            var symbol = p < key.Length ? key[p] + 1 : 0;
            low += size * cumulative[symbol] / total;
            size = size * (cumulative[symbol + 1] - cumulative[symbol]) / total;
            if (symbol == 0)
            {
                break;
            }
        }

        return low;
    }

    /// <summary>
    /// The smallest key whose point is at or after <paramref name="position"/> as far as the scale can tell (keys
    /// longer than <see cref="Depth"/> and points finer than the line round down; the caller checks).
    /// </summary>
    public byte[] KeyAt(BigInteger position)
    {
        var key = new List<byte>(64);
        var low = BigInteger.Zero;
        var size = Limit;
        for (var p = 0; p < Depth && !size.IsZero; p++)
        {
            var cumulative = Below(p);
            var total = cumulative[Symbols];
            var offset = position - low;

            // The symbol whose room holds the point: estimated in one division, then corrected for rounding.
            var x = (int)BigInteger.Min(total - 1, BigInteger.Max(0, offset * total / size));
            var symbol = Array.BinarySearch(cumulative, 0, Symbols + 1, x);
            symbol = symbol >= 0 ? symbol : ~symbol - 1;
            while (symbol > 0 && size * cumulative[symbol] / total > offset)
            {
                symbol--;
            }

            while (symbol < Symbols - 1 && size * cumulative[symbol + 1] / total <= offset)
            {
                symbol++;
            }

            var start = size * cumulative[symbol] / total;
            low += start;
            size = size * (cumulative[symbol + 1] - cumulative[symbol]) / total;
            if (symbol == 0)
            {
                // The key ends here. A point inside that room is past the key itself: the next key is it plus a zero.
                if (position > low)
                {
                    key.Add(0);
                }

                break;
            }

            key.Add((byte)(symbol - 1));
        }

        return [.. key];
    }

    /// <summary>The byte values that stand for each other: digits, lower-case letters, upper-case letters; else the value alone.</summary>
    private static (int First, int Last) Class(byte value) => value switch
    {
        >= (byte)'0' and <= (byte)'9' => ('0', '9'),
        >= (byte)'a' and <= (byte)'z' => ('a', 'z'),
        >= (byte)'A' and <= (byte)'Z' => ('A', 'Z'),
        _ => (value, value),
    };

    private void Mark(int position, int symbol)
    {
        ref var word = ref seen[(position * WordsPerPosition) + (symbol >> 6)];
        var bit = 1UL << (symbol & 63);
        if ((word & bit) == 0)
        {
            word |= bit;
            below[position] = null;
        }
    }

    private int[] Below(int position)
    {
        if (below[position] is { } known)
        {
            return known;
        }

        var cumulative = new int[Symbols + 1];
        var words = seen.AsSpan(position * WordsPerPosition, WordsPerPosition);
        for (var s = 0; s < Symbols; s++)
        {
            var weight = (words[s >> 6] & (1UL << (s & 63))) != 0 ? SeenWeight : 1;
            cumulative[s + 1] = cumulative[s] + weight;
        }

        below[position] = cumulative;
        return cumulative;
    }
}
