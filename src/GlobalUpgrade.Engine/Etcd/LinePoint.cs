using System.Numerics;
using System.Runtime.InteropServices;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// A non-negative number on <see cref="KeyScale"/>'s line, of fixed width and changed in place: placing one key takes
/// a few hundred multiplications and divisions of 1024-bit numbers by small ones, and as <see cref="BigInteger"/>s
/// each would be a new array (a scan of a million keys made 330 MB of them). Little-endian 32-bit limbs (read as
/// bytes, as every platform PowerShell runs on lays them out), room for the line's length times a weight total.
/// </summary>
internal sealed class LinePoint
{
    // 1024 bits of line, 14 bits of the largest weight total, and a spare limb.
    private const int Limbs = 34;

    private readonly uint[] limbs = new uint[Limbs];

    public bool IsZero => limbs.AsSpan().IndexOfAnyExcept(0u) < 0;

    public void SetZero() => Array.Clear(limbs);

    /// <summary>This = 2^bits.</summary>
    public void SetPowerOfTwo(int bits)
    {
        Array.Clear(limbs);
        limbs[bits / 32] = 1u << (bits % 32);
    }

    public void Set(LinePoint other) => other.limbs.CopyTo(limbs, 0);

    /// <summary>This = floor(x × multiplier / divisor), exactly as the BigInteger expression; x may be this.</summary>
    public void SetScaled(LinePoint x, int multiplier, int divisor)
    {
        ulong carry = 0;
        for (var i = 0; i < Limbs; i++)
        {
            carry += (ulong)x.limbs[i] * (uint)multiplier;
            limbs[i] = (uint)carry;
            carry >>= 32;
        }

        ulong remainder = 0;
        for (var i = Limbs - 1; i >= 0; i--)
        {
            var part = (remainder << 32) | limbs[i];
            limbs[i] = (uint)(part / (uint)divisor);
            remainder = part % (uint)divisor;
        }
    }

    public void Add(LinePoint other)
    {
        ulong carry = 0;
        for (var i = 0; i < Limbs; i++)
        {
            carry += (ulong)limbs[i] + other.limbs[i];
            limbs[i] = (uint)carry;
            carry >>= 32;
        }
    }

    /// <summary>This = a − b, for a ≥ b.</summary>
    public void SetDifference(LinePoint a, LinePoint b)
    {
        long borrow = 0;
        for (var i = 0; i < Limbs; i++)
        {
            var part = (long)a.limbs[i] - b.limbs[i] - borrow;
            borrow = part < 0 ? 1 : 0;
            limbs[i] = (uint)part;
        }
    }

    public int CompareTo(LinePoint other)
    {
        for (var i = Limbs - 1; i >= 0; i--)
        {
            if (limbs[i] != other.limbs[i])
            {
                return limbs[i] < other.limbs[i] ? -1 : 1;
            }
        }

        return 0;
    }

    public BigInteger ToBigInteger() => new(MemoryMarshal.AsBytes(limbs.AsSpan()), isUnsigned: true, isBigEndian: false);

    /// <summary>This = value, for 0 ≤ value &lt; 2^1088.</summary>
    public void Set(BigInteger value)
    {
        Array.Clear(limbs);
        if (!value.TryWriteBytes(MemoryMarshal.AsBytes(limbs.AsSpan()), out _, isUnsigned: true, isBigEndian: false))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A point past the line's room.");
        }
    }
}
