using System.Buffers;
using System.Text;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// One etcd range response kept as its raw protobuf bytes with the offsets of each key (and value): no object, no
/// string and no copy per key. Keys are read as byte spans and rendered as UTF-8 only when a difference is listed.
/// The bytes live in a buffer rented from <see cref="PageBuffers"/> and go back to it when the page is released.
/// </summary>
internal sealed class KeyPage
{
    private readonly PageBuffers? buffers;
    private byte[] buffer;

    // Per entry: key offset, key length, value offset, value length.
    private int[] fields;

    private KeyPage(byte[] buffer, int[] fields, int count, PageBuffers? buffers)
    {
        this.buffer = buffer;
        this.fields = fields;
        this.buffers = buffers;
        Count = count;
    }

    public int Count { get; }

    /// <summary>The revision of the store the response was read at (its header).</summary>
    public long Revision { get; private init; }

    /// <summary>etcd's "more": the range held more keys than the limit.</summary>
    public bool More { get; private init; }

    /// <summary>etcd's "count": the number of keys in the whole requested range, exact at the read revision.</summary>
    public long Total { get; private init; }

    /// <summary>The size of the response in bytes (what the page holds in memory, besides its offsets).</summary>
    public int Bytes { get; private init; }

    public ReadOnlySpan<byte> Key(int index) => buffer.AsSpan(fields[4 * index], fields[(4 * index) + 1]);

    public ReadOnlySpan<byte> Value(int index) => buffer.AsSpan(fields[(4 * index) + 2], fields[(4 * index) + 3]);

    public ReadOnlySpan<byte> LastKey => Key(Count - 1);

    public string KeyText(int index) => Encoding.UTF8.GetString(Key(index));

    /// <summary>Gives the buffer back; the page must not be read afterwards.</summary>
    public void Release()
    {
        if (buffers is not null && buffer.Length > 0)
        {
            buffers.Return(buffer);
            buffers.Return(fields);
        }

        buffer = [];
        fields = [];
    }

    /// <summary>A page of the given keys (and values), for tests and empty answers.</summary>
    public static KeyPage Of(IReadOnlyList<(string Key, string Value)> entries, bool more = false, long? total = null, long revision = 0) =>
        Of(entries.Select(e => (Encoding.UTF8.GetBytes(e.Key), Encoding.UTF8.GetBytes(e.Value))).ToList(), more, total, revision);

    /// <summary>A page of the given raw keys and values, for tests.</summary>
    public static KeyPage Of(IReadOnlyList<(byte[] Key, byte[] Value)> entries, bool more = false, long? total = null, long revision = 0)
    {
        var bytes = new List<byte>();
        var fields = new int[Math.Max(4, 4 * entries.Count)];
        for (var i = 0; i < entries.Count; i++)
        {
            var (key, value) = entries[i];
            fields[4 * i] = bytes.Count;
            fields[(4 * i) + 1] = key.Length;
            bytes.AddRange(key);
            fields[(4 * i) + 2] = bytes.Count;
            fields[(4 * i) + 3] = value.Length;
            bytes.AddRange(value);
        }

        return new KeyPage(bytes.ToArray(), fields, entries.Count, null) { More = more, Total = total ?? entries.Count, Revision = revision, Bytes = bytes.Count };
    }

    /// <summary>
    /// Reads an etcdserverpb.RangeResponse: header = 1 (revision = 3), kvs = 2 (mvccpb.KeyValue: key = 1, value = 5),
    /// more = 3, count = 4 [etcd api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto]. Other fields are skipped.
    /// </summary>
    public static KeyPage Parse(ReadOnlySequence<byte> payload, PageBuffers buffers)
    {
        var length = checked((int)payload.Length);
        var buffer = buffers.RentBytes(Math.Max(length, 1));
        payload.CopyTo(buffer);
        try
        {
            return Parse(buffer, length, buffers);
        }
        catch
        {
            buffers.Return(buffer);
            throw;
        }
    }

    private static KeyPage Parse(byte[] buffer, int length, PageBuffers buffers)
    {
        var reader = new ProtoReader(buffer, 0, length);
        long revision = 0, total = 0;
        var more = false;
        var fields = buffers.RentFields(64);
        var count = 0;
        try
        {
            while (reader.TryReadTag(out var field, out var wireType))
            {
                switch (field)
                {
                    case 1 when wireType == ProtoReader.LengthDelimited:
                        var header = reader.ReadSubMessage();
                        while (header.TryReadTag(out var headerField, out var headerWire))
                        {
                            if (headerField == 3 && headerWire == ProtoReader.Varint)
                            {
                                revision = (long)header.ReadVarint();
                            }
                            else
                            {
                                header.Skip(headerWire);
                            }
                        }

                        break;
                    case 2 when wireType == ProtoReader.LengthDelimited:
                        if (4 * (count + 1) > fields.Length)
                        {
                            var larger = buffers.RentFields(fields.Length * 2);
                            fields.AsSpan(0, 4 * count).CopyTo(larger);
                            buffers.Return(fields);
                            fields = larger;
                        }

                        var kv = reader.ReadSubMessage();
                        int keyOffset = 0, keyLength = 0, valueOffset = 0, valueLength = 0;
                        while (kv.TryReadTag(out var kvField, out var kvWire))
                        {
                            if (kvField == 1 && kvWire == ProtoReader.LengthDelimited)
                            {
                                (keyOffset, keyLength) = kv.ReadBytes();
                            }
                            else if (kvField == 5 && kvWire == ProtoReader.LengthDelimited)
                            {
                                (valueOffset, valueLength) = kv.ReadBytes();
                            }
                            else
                            {
                                kv.Skip(kvWire);
                            }
                        }

                        fields[4 * count] = keyOffset;
                        fields[(4 * count) + 1] = keyLength;
                        fields[(4 * count) + 2] = valueOffset;
                        fields[(4 * count) + 3] = valueLength;
                        count++;
                        break;
                    case 3 when wireType == ProtoReader.Varint:
                        more = reader.ReadVarint() != 0;
                        break;
                    case 4 when wireType == ProtoReader.Varint:
                        total = (long)reader.ReadVarint();
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }
        }
        catch
        {
            buffers.Return(fields);
            throw;
        }

        return new KeyPage(buffer, fields, count, buffers) { Revision = revision, More = more, Total = total, Bytes = length };
    }

    /// <summary>A minimal protobuf wire reader over a byte range; throws InvalidDataException on malformed input.</summary>
    private struct ProtoReader(byte[] buffer, int position, int end)
    {
        public const int Varint = 0;
        public const int Fixed64 = 1;
        public const int LengthDelimited = 2;
        public const int Fixed32 = 5;

        private int position = position;

        public bool TryReadTag(out int field, out int wireType)
        {
            if (position >= end)
            {
                field = wireType = 0;
                return false;
            }

            var tag = ReadVarint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        public ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (position >= end)
                {
                    throw Malformed();
                }

                var b = buffer[position++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Malformed();
        }

        public (int Offset, int Length) ReadBytes()
        {
            var length = ReadVarint();
            if (length > (ulong)(end - position))
            {
                throw Malformed();
            }

            var offset = position;
            position += (int)length;
            return (offset, (int)length);
        }

        public ProtoReader ReadSubMessage()
        {
            var (offset, length) = ReadBytes();
            return new ProtoReader(buffer, offset, offset + length);
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case Varint:
                    ReadVarint();
                    break;
                case LengthDelimited:
                    ReadBytes();
                    break;
                case Fixed64:
                    Advance(8);
                    break;
                case Fixed32:
                    Advance(4);
                    break;
                default:
                    throw Malformed();
            }
        }

        private void Advance(int count)
        {
            if (end - position < count)
            {
                throw Malformed();
            }

            position += count;
        }

        private static InvalidDataException Malformed() => new("etcd sent a range response that is not valid protobuf.");
    }
}
