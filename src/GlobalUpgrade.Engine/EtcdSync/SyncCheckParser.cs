using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Parses the etcd synchronizer monitor's /check body, line by line as it streams in. The layout is [assumed]
/// (headings per [doc release-4.3 install/global_dr.mdx "Routine Checks"]): the headings "LOCAL ETCD missed keys:" and
/// "LOCAL ETCD surplus keys:" exactly as written, each once, each followed by keys, one per line. It accepts only
/// that shape with the harmless variations (any order, blank lines, CRLF, whitespace around a line, empty
/// sections). Anything else — text after a heading's colon (a count, a note), another spelling of a heading, a
/// heading twice, a line that is neither heading nor key, a key before any heading, a missing heading — makes the
/// whole report unreadable, never "in sync": a variation we did not foresee may carry keys we would not count.
/// </summary>
public static partial class SyncCheckParser
{
    /// <summary>Characters read at a time; a longer line grows the buffer.</summary>
    private const int ChunkChars = 64 * 1024;

    /// <summary>
    /// Reads the body in large blocks into a pooled buffer and cuts the lines out of it as spans: one read call per
    /// block instead of one per line (100,000 keys: 64 ms with ReadLineAsync, see docs/performance.md), and a string
    /// only for each key kept. Lines end at '\n', '\r' or "\r\n", as TextReader.ReadLine counts them.
    /// </summary>
    public static async Task<SyncCheckReport> ParseAsync(TextReader reader, string source, CancellationToken cancellationToken)
    {
        var lines = new LineParser(source);
        var buffer = ArrayPool<char>.Shared.Rent(ChunkChars);
        try
        {
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<char>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await reader.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var consumed = lines.ParseLines(buffer.AsSpan(0, filled));
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }

            if (filled > 0)
            {
                lines.ParseLine(buffer.AsSpan(0, filled)); // the last line, without an end of line
            }

            return lines.Finish();
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>The state of one parse: the sections read so far and where the lines are.</summary>
    private sealed class LineParser(string source)
    {
        private readonly List<string> missed = [];
        private readonly List<string> surplus = [];
        private List<string>? current;
        private bool sawMissed;
        private bool sawSurplus;
        private int lineNumber;
        private bool afterCarriageReturn;

        /// <summary>Parses every whole line of <paramref name="text"/>; returns the characters used (the rest is an unfinished line).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int ParseLines(ReadOnlySpan<char> text)
        {
            var position = 0;
            while (position < text.Length)
            {
                if (afterCarriageReturn)
                {
                    // "\r\n" ends one line, even when a block ends between the two.
                    afterCarriageReturn = false;
                    if (text[position] == '\n')
                    {
                        position++;
                        continue;
                    }
                }

                var rest = text[position..];
                var end = rest.IndexOfAny('\r', '\n');
                if (end < 0)
                {
                    break;
                }

                ParseLine(rest[..end]);
                afterCarriageReturn = rest[end] == '\r';
                position += end + 1;
            }

            return position;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ParseLine(ReadOnlySpan<char> raw)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.IsEmpty)
            {
                return;
            }

            // Keys are nearly every line of a large report: tell them apart first, without allocating.
            if (IsOneKey(line))
            {
                if (current is null)
                {
                    throw Unreadable(source, $"the key on line {lineNumber} comes before any section heading");
                }

                current.Add(line.ToString());
                return;
            }

            if (line.SequenceEqual(MissedHeading) || line.SequenceEqual(SurplusHeading))
            {
                var isMissed = line.SequenceEqual(MissedHeading);
                if ((isMissed && sawMissed) || (!isMissed && sawSurplus))
                {
                    throw Unreadable(source, $"the heading '{line}' appears twice (line {lineNumber})");
                }

                sawMissed |= isMissed;
                sawSurplus |= !isMissed;
                current = isMissed ? missed : surplus;
                return;
            }

            var text = line.ToString();
            throw Unreadable(source, LooksLikeHeading().IsMatch(text)
                ? $"line {lineNumber} is a heading not in the documented form '{MissedHeading}' / '{SurplusHeading}' (nothing may follow the colon): '{Shorten(text)}'"
                : $"line {lineNumber} is neither a section heading nor one etcd key: '{Shorten(text)}'");
        }

        public SyncCheckReport Finish()
        {
            if (!sawMissed || !sawSurplus)
            {
                throw Unreadable(source, lineNumber == 0
                    ? "the body is empty"
                    : $"the heading 'LOCAL ETCD {(sawMissed ? "surplus" : "missed")} keys:' is missing (the body may be truncated)");
            }

            return new SyncCheckReport(missed, surplus);
        }
    }

    private static GlobalUpgradeException Unreadable(string source, string why) => new(
        ErrorIds.SyncReportUnreadable,
        FailureCategory.InvalidData,
        $"The etcd sync report from {source} cannot be trusted: {why}. The sync state is UNKNOWN (not in sync). Check the etcd-sync pods in cpaas-system on the standby and read the report by hand: curl http://<etcd-sync-monitor clusterIP>/check.",
        source);

    /// <summary>One etcd key: starts with '/', no white space or control character (printable ASCII is the fast path).</summary>
    private static bool IsOneKey(ReadOnlySpan<char> line)
    {
        if (line[0] != '/')
        {
            return false;
        }

        var other = line.IndexOfAnyExcept(PrintableAscii);
        if (other < 0)
        {
            return true;
        }

        foreach (var c in line[other..])
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly SearchValues<char> PrintableAscii = SearchValues.Create("!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static string Shorten(string line) => line.Length > 80 ? line[..80] + "…" : line;

    private const string MissedHeading = "LOCAL ETCD missed keys:";
    private const string SurplusHeading = "LOCAL ETCD surplus keys:";

    /// <summary>Something meant as a heading but not written as documented (only to say so in the error).</summary>
    [GeneratedRegex(@"\b(missed|surplus)\s+keys\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LooksLikeHeading();
}
