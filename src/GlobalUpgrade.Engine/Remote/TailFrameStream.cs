using System.Globalization;
using System.Text;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Remote;

/// <summary>
/// Reads what <see cref="DetachedRun.WatchTailAsync"/>'s node script prints — frames <c>GU-TAIL &lt;log size&gt; &lt;n&gt;\n</c>
/// followed by the log's last <c>n</c> bytes — and shows each tail in a <see cref="LogSink"/> (nothing is written to a file).
/// </summary>
internal sealed class TailFrameStream(LogSink sink, long offset) : WriteOnlyStream
{
    private const string Header = "GU-TAIL ";
    private const int MaxHeader = 64;
    private readonly List<byte> header = new(MaxHeader);
    private byte[]? body;
    private int bodyCount;
    private long size;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (body is null)
            {
                var newline = buffer.IndexOf((byte)'\n');
                var part = newline < 0 ? buffer : buffer[..newline];
                if (header.Count + part.Length > MaxHeader)
                {
                    throw Unexpected();
                }

                header.AddRange(part);
                if (newline < 0)
                {
                    return;
                }

                buffer = buffer[(newline + 1)..];
                StartBody();
            }
            else
            {
                var take = Math.Min(buffer.Length, body.Length - bodyCount);
                buffer[..take].CopyTo(body.AsSpan(bodyCount));
                bodyCount += take;
                buffer = buffer[take..];
            }

            if (body is not null && bodyCount == body.Length)
            {
                sink.ShowTail(body, Math.Max(0, size - offset));
                body = null;
            }
        }
    }

    private void StartBody()
    {
        var fields = Encoding.ASCII.GetString(header.ToArray()).Split(' ');
        header.Clear();
        if (fields.Length != 3 || fields[0] + " " != Header
            || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out size)
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > LogSink.TailCapacity)
        {
            throw Unexpected();
        }

        body = new byte[count];
        bodyCount = 0;
    }

    private static GlobalUpgradeException Unexpected() =>
        new(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, "The node sent an unexpected answer while the run's log was watched.", null);
}
