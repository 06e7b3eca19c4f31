using System.Text;

namespace GlobalUpgrade.Remote;

/// <summary>
/// Where a followed log goes: appended to a local file as it streams, with only the last few KB kept in memory
/// (for the latest line, progress and the last lines of an error) — memory stays bounded whatever the log size.
/// Known secrets are masked before anything is written or kept, line by line like the node's mask.sh (both held to
/// tests/fixtures/masking/vectors.json): a line is masked once it is complete, whatever chunks it arrived in. The file
/// is written in large blocks: a chatty log arrives in many small chunks, and a write (and flush) per chunk costs more
/// than the copy itself.
/// </summary>
public sealed class LogSink : WriteOnlyStream
{
    public const string Mask = "********";

    /// <summary>
    /// A secret shorter than this (in UTF-8 bytes) is masked only where it stands alone (no letter or digit right before or after):
    /// a short password must not wreck the log by masking it inside every word.
    /// </summary>
    public const int ShortSecretLength = 6;
    public const int TailCapacity = 16 * 1024;

    /// <summary>
    /// A line still open past this many bytes is masked and written up to its last (longest secret - 1) bytes, so
    /// memory stays bounded; the cut counts as a line end for the short-secret rule.
    /// </summary>
    public const int MaxOpenLine = 64 * 1024;

    /// <summary>The local copy is written in blocks of this size, and at least every <see cref="FlushInterval"/> (so it can be watched).</summary>
    public const int FileBlockSize = 1024 * 1024;

    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly Stream? file;
    private readonly byte[][] secrets;
    private readonly byte[] mask = Encoding.UTF8.GetBytes(Mask);
    private readonly int holdBack;
    private readonly object gate = new();
    private readonly byte[] tail = new byte[TailCapacity];
    private int tailStart;
    private int tailCount;
    private byte[] openLine = [];
    private long received;
    private long lastFlush = Environment.TickCount64;

    public LogSink(string? localPath, IEnumerable<string>? secrets = null)
    {
        // Longest first (a stable sort): a secret that holds another is masked whole, not around the shorter one.
        this.secrets = (secrets ?? []).Where(s => !string.IsNullOrEmpty(s)).Select(Encoding.UTF8.GetBytes).OrderByDescending(s => s.Length).ToArray();
        holdBack = this.secrets.Length == 0 ? 0 : this.secrets[0].Length - 1;
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
            // Only complete lines are masked and written; the open line waits for its end.
            byte[] data = [.. openLine, .. buffer];
            var complete = data.AsSpan().LastIndexOf((byte)'\n') + 1;
            Emit(MaskSecrets(data.AsSpan(0, complete)));
            openLine = data[complete..];
            if (openLine.Length > MaxOpenLine)
            {
                // Masked again with what follows: harmless, a mask holds no secret.
                var masked = MaskSecrets(openLine).ToArray();
                Emit(masked.AsSpan(0, masked.Length - holdBack));
                openLine = masked[(masked.Length - holdBack)..];
            }
        }

        Interlocked.Add(ref received, buffer.Length);
    }

    // One secret after another (longest first), each replaced wherever it occurs; a short one only where no letter or
    // digit stands right before or after it — before it, in what this pass wrote: a mask just written counts as none.
    // Line ends are such boundaries, and no secret matched here spans a line (mask.sh sees one line at a time).
    private ReadOnlySpan<byte> MaskSecrets(ReadOnlySpan<byte> data)
    {
        foreach (var secret in secrets)
        {
            if (data.IndexOf(secret) < 0)
            {
                continue;
            }

            var result = new List<byte>(data.Length);
            var from = 0;
            int at;
            while ((at = data[from..].IndexOf(secret)) >= 0)
            {
                at += from;
                var end = at + secret.Length;
                var before = at > from ? data[at - 1] : result.Count > 0 ? result[^1] : (byte)'\n';
                if (secret.Length >= ShortSecretLength || (!IsAlphanumeric(before) && (end == data.Length || !IsAlphanumeric(data[end]))))
                {
                    result.AddRange(data[from..at]);
                    result.AddRange(mask);
                    from = end;
                }
                else
                {
                    result.AddRange(data[from..(at + 1)]);
                    from = at + 1;
                }
            }

            result.AddRange(data[from..]);
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
        Emit(secrets.Length == 0 ? tail : MaskSecrets(tail));
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
        if (openLine.Length > 0)
        {
            var rest = openLine;
            openLine = [];
            Emit(MaskSecrets(rest));
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
