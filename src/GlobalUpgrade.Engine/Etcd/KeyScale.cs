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

    /// <summary>Bits of the line: see <see cref="Limit"/>.</summary>
    private const int LineBits = 1024;

    /// <summary>
    /// The line's length: a value seen at a position takes about 4 bits of it, one not seen about 9, so 1024 bits
    /// place keys well past the 128 bytes read (deeper, keys share a point and the window still moves on).
    /// </summary>
    public static readonly BigInteger Limit = BigInteger.One << LineBits;

    // Symbols per position: 0 = the key ends here, 1 + b = byte b.
    private const int Symbols = 257;
    private const int WordsPerPosition = (Symbols + 63) / 64;

    private readonly ulong[] seen = new ulong[Depth * WordsPerPosition];

    // Per position, the total weight of the symbols below each symbol (Symbols + 1 entries); null until needed again.
    private readonly int[]?[] below = new int[]?[Depth];

    // Where Position and KeyAt work, changed in place: the start and width of the room so far, the point sought.
    private readonly LinePoint low = new();
    private readonly LinePoint size = new();
    private readonly LinePoint target = new();
    private readonly LinePoint offset = new();
    private readonly LinePoint term = new();

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
        low.SetZero();
        size.SetPowerOfTwo(LineBits);
        for (var p = 0; p < Depth && !size.IsZero; p++)
        {
            var cumulative = Below(p);
            var total = cumulative[Symbols];
            var symbol = p < key.Length ? key[p] + 1 : 0;
            Narrow(cumulative, symbol, total);
            if (symbol == 0)
            {
                break;
            }
        }

        return low.ToBigInteger();
    }

    /// <summary>
    /// The smallest key whose point is at or after <paramref name="position"/> as far as the scale can tell (keys
    /// longer than <see cref="Depth"/> and points finer than the line round down; the caller checks).
    /// </summary>
    public byte[] KeyAt(BigInteger position)
    {
        var key = new List<byte>(64);
        target.Set(position);
        low.SetZero();
        size.SetPowerOfTwo(LineBits);
        for (var p = 0; p < Depth && !size.IsZero; p++)
        {
            var cumulative = Below(p);
            var total = cumulative[Symbols];
            var symbol = SymbolHolding(cumulative, total);
            Narrow(cumulative, symbol, total);
            if (symbol == 0)
            {
                // The key ends here. A point inside that room is past the key itself: the next key is it plus a zero.
                if (target.CompareTo(low) > 0)
                {
                    key.Add(0);
                }

                break;
            }

            key.Add((byte)(symbol - 1));
        }

        return [.. key];
    }

    /// <summary>Moves into the room of <paramref name="symbol"/> at this position: low to its start, size to its width.</summary>
    private void Narrow(int[] cumulative, int symbol, int total)
    {
        term.SetScaled(size, cumulative[symbol], total);
        low.Add(term);
        size.SetScaled(size, cumulative[symbol + 1] - cumulative[symbol], total);
    }

    /// <summary>The last symbol whose room starts at or before the target (0 when the target lies before low).</summary>
    private int SymbolHolding(int[] cumulative, int total)
    {
        if (target.CompareTo(low) < 0)
        {
            return 0;
        }

        offset.SetDifference(target, low);
        var (first, last) = (0, Symbols - 1);
        while (first < last)
        {
            var middle = (first + last + 1) / 2;
            term.SetScaled(size, cumulative[middle], total);
            if (term.CompareTo(offset) <= 0)
            {
                first = middle;
            }
            else
            {
                last = middle - 1;
            }
        }

        return first;
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
