using System.Text.RegularExpressions;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Parses the etcd synchronizer monitor's /check body, line by line as it streams in. The layout is [assumed]
/// (acp/README.md): a heading "LOCAL ETCD missed keys:" and one "LOCAL ETCD surplus keys:", each followed by keys,
/// one per line. Liberal in what it accepts (any order, blank lines, CRLF, whitespace, empty sections, a count
/// after the heading), strict in what it concludes: a line that is neither a heading nor a key, a key before any
/// heading, or a missing heading makes the whole report unreadable — never "in sync".
/// </summary>
public static partial class SyncCheckParser
{
    public static async Task<SyncCheckReport> ParseAsync(TextReader reader, string source, CancellationToken cancellationToken)
    {
        var missed = new List<string>();
        var surplus = new List<string>();
        List<string>? current = null;
        bool sawMissed = false, sawSurplus = false;
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } raw)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var heading = Heading().Match(line);
            if (heading.Success)
            {
                var isMissed = heading.Groups["kind"].Value.Equals("missed", StringComparison.OrdinalIgnoreCase);
                if ((isMissed && sawMissed) || (!isMissed && sawSurplus))
                {
                    throw Unreadable(source, $"the heading '{line}' appears twice (line {lineNumber})");
                }

                sawMissed |= isMissed;
                sawSurplus |= !isMissed;
                current = isMissed ? missed : surplus;
                continue;
            }

            if (line[0] != '/')
            {
                throw Unreadable(source, $"line {lineNumber} is neither a section heading nor an etcd key: '{Shorten(line)}'");
            }

            if (current is null)
            {
                throw Unreadable(source, $"the key on line {lineNumber} comes before any section heading");
            }

            current.Add(line);
        }

        if (!sawMissed || !sawSurplus)
        {
            throw Unreadable(source, lineNumber == 0
                ? "the body is empty"
                : $"the heading 'LOCAL ETCD {(sawMissed ? "surplus" : "missed")} keys:' is missing (the body may be truncated)");
        }

        return new SyncCheckReport(missed, surplus);
    }

    private static GlobalUpgradeException Unreadable(string source, string why) => new(
        ErrorIds.SyncReportUnreadable,
        FailureCategory.InvalidData,
        $"The etcd sync report from {source} cannot be trusted: {why}. The sync state is UNKNOWN (not in sync). Check the etcd-sync pods in cpaas-system on the standby and read the report by hand: curl http://<etcd-sync-monitor clusterIP>/check.",
        source);

    private static string Shorten(string line) => line.Length > 80 ? line[..80] + "…" : line;

    [GeneratedRegex(@"^(LOCAL\s+)?ETCD\s+(?<kind>missed|surplus)\s+keys\b[^/]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Heading();
}
