using System.Text;

namespace GlobalUpgrade.Remote;

/// <summary>
/// Where a followed log goes: appended to a local file as it streams, with only the last few KB kept in memory
/// (for the latest line, progress and the last lines of an error) — memory stays bounded whatever the log size.
/// Known secrets are masked before anything is written or kept. The file is written in large blocks: a chatty
/// log arrives in many small chunks, and a write (and flush) per chunk costs more than the copy itself.
/// </summary>
public sealed class LogSink : WriteOnlyStream
{
    public const string Mask = "********";

    /// <summary>
    /// A secret shorter than this is masked only where it stands alone (no letter or digit right before or after):
    /// a short password must not wreck the log by masking it inside every word.
    /// </summary>
    public const int ShortSecretLength = 6;
    public const int TailCapacity = 16 * 1024;

    /// <summary>The local copy is written in blocks of this size, and at least every <see cref="FlushInterval"/> (so it can be watched).</summary>
    public const int FileBlockSize = 1024 * 1024;

    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly Stream? file;
    private readonly byte[][] secrets;
    private readonly byte[] mask = Encoding.UTF8.GetBytes(Mask);
    private readonly int carryLength;
    private readonly object gate = new();
    private readonly byte[] tail = new byte[TailCapacity];
    private int tailStart;
    private int tailCount;
    private byte[] carry = [];
    private long received;
    private long lastFlush = Environment.TickCount64;

    public LogSink(string? localPath, IEnumerable<string>? secrets = null)
    {
        this.secrets = (secrets ?? []).Where(s => !string.IsNullOrEmpty(s)).Select(Encoding.UTF8.GetBytes).ToArray();
        carryLength = this.secrets.Length == 0 ? 0 : this.secrets.Max(s => s.Length) - 1;
        if (localPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
            file = new FileStream(localPath, FileMode.Append, FileAccess.Write, FileShare.Read, FileBlockSize);
        }
    }

    /// <summary>Bytes received from the node (before masking): the offset to resume from.</summary>
    public long Received => Interlocked.Read(ref received);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (secrets.Length == 0)
        {
            Emit(buffer);
        }
        else
        {
            // Mask whole occurrences; keep the last (longest secret - 1) bytes back in case one is split across writes.
            var masked = MaskSecrets([.. carry, .. buffer]);
            var keep = Math.Min(carryLength, masked.Length);
            Emit(masked.AsSpan(0, masked.Length - keep));
            carry = masked[(masked.Length - keep)..];
        }

        Interlocked.Add(ref received, buffer.Length);
    }

    private byte[] MaskSecrets(byte[] data)
    {
        foreach (var secret in secrets)
        {
            if (data.AsSpan().IndexOf(secret) < 0)
            {
                continue;
            }

            var result = new List<byte>(data.Length);
            var from = 0;
            int at;
            while ((at = data.AsSpan(from).IndexOf(secret)) >= 0)
            {
                at += from;
                var end = at + secret.Length;
                if (secret.Length >= ShortSecretLength || ((at == 0 || !IsAlphanumeric(data[at - 1])) && (end == data.Length || !IsAlphanumeric(data[end]))))
                {
                    result.AddRange(data.AsSpan(from, at - from));
                    result.AddRange(mask);
                    from = end;
                }
                else
                {
                    result.AddRange(data.AsSpan(from, at + 1 - from));
                    from = at + 1;
                }
            }

            result.AddRange(data.AsSpan(from));
            data = result.ToArray();
        }

        return data;
    }

    private static bool IsAlphanumeric(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z';

    private void Emit(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        lock (gate)
        {
            if (file is not null)
            {
                // Buffered (FileBlockSize), flushed when due: the copy can be watched (tail -f) while the run goes on.
                file.Write(data);
                FlushIfDue();
            }

            var keep = data.Length > TailCapacity ? data[^TailCapacity..] : data;
            var end = (tailStart + tailCount) % TailCapacity;
            var first = Math.Min(keep.Length, TailCapacity - end);
            keep[..first].CopyTo(tail.AsSpan(end));
            keep[first..].CopyTo(tail);
            var overflow = tailCount + keep.Length - TailCapacity;
            if (overflow > 0)
            {
                tailStart = (tailStart + overflow) % TailCapacity;
                tailCount = TailCapacity;
            }
            else
            {
                tailCount += keep.Length;
            }
        }
    }

    /// <summary>
    /// Replaces what is kept with the end of a log read in place (nothing is written to the file):
    /// <paramref name="tail"/> is its last bytes, <paramref name="received"/> how far the log now reaches past the offset.
    /// </summary>
    public void ShowTail(ReadOnlySpan<byte> tail, long received)
    {
        lock (gate)
        {
            tailStart = 0;
            tailCount = 0;
        }

        // Masked like a streamed log: the node masks what it was given, this masks what the follower knows.
        Emit(secrets.Length == 0 ? tail : MaskSecrets(tail.ToArray()));
        Interlocked.Exchange(ref this.received, received);
    }

    /// <summary>The last complete or partial lines seen (at most <paramref name="count"/>), newest last.</summary>
    public string[] LastLines(int count)
    {
        byte[] snapshot;
        lock (gate)
        {
            snapshot = new byte[tailCount];
            for (var i = 0; i < tailCount; i++)
            {
                snapshot[i] = tail[(tailStart + i) % TailCapacity];
            }
        }

        var lines = Encoding.UTF8.GetString(snapshot).Replace("\r", "", StringComparison.Ordinal).Split('\n');
        // The first line may be cut by the ring buffer unless the buffer holds the whole log.
        var start = tailCount == TailCapacity ? 1 : 0;
        return lines.Skip(start).Where(l => l.Trim().Length > 0).TakeLast(count).ToArray();
    }

    /// <summary>Writes what the local copy holds in memory (called on each progress tick, so a pause in the log never leaves it behind).</summary>
    public override void Flush()
    {
        lock (gate)
        {
            file?.Flush();
            lastFlush = Environment.TickCount64;
        }
    }

    private void FlushIfDue()
    {
        if (Environment.TickCount64 - lastFlush >= (long)FlushInterval.TotalMilliseconds)
        {
            file!.Flush();
            lastFlush = Environment.TickCount64;
        }
    }

    /// <summary>Writes what was held back for masking; call once the stream has ended.</summary>
    public void Complete()
    {
        if (carry.Length > 0)
        {
            var rest = carry;
            carry = [];
            Emit(rest);
        }

        Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Complete();
            file?.Dispose();
        }

        base.Dispose(disposing);
    }
}
