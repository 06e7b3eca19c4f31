using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Readiness;

/// <summary>What upgrade.sh --preflight printed: its Summary (key: value lines) and its Checks.</summary>
public sealed record PreflightOutput(IReadOnlyDictionary<string, string> Summary, IReadOnlyList<PreflightEntry> Checks)
{
    public string? Result => Summary.GetValueOrDefault("Result");

    /// <summary>
    /// Parses the output. [doc: release-4.3 upgrade_global_cluster.mdx] it has a "Summary" (overall result, current
    /// version, desired version, desired image) and "Checks" (one row per check). The exact layout is [assumed]: a
    /// line "Summary" then "Key: value" lines, a line "Checks" then tab-separated rows name, policy, state, reason,
    /// message (the columns of the documented kubectl jsonpath), an optional header row starting with NAME. Log
    /// lines before "Summary" are ignored; anything else inside the sections makes the output unreadable — never
    /// "passed".
    /// </summary>
    public static PreflightOutput Parse(string text, string where)
    {
        var summary = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var checks = new List<PreflightEntry>();
        string? section = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            var heading = line.Trim().TrimEnd(':');
            if (heading is "Summary" or "Checks")
            {
                section = heading;
                continue;
            }

            if (section is null || line.Trim().Length == 0)
            {
                continue;
            }

            if (section == "Summary")
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw Unreadable(where, lineNumber, line);
                }

                summary[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length < 3 || fields[0].Trim().Length == 0)
            {
                throw Unreadable(where, lineNumber, line);
            }

            if (fields[0].Trim().Equals("NAME", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string? Field(int i) => fields.Length > i && fields[i].Trim().Length > 0 ? fields[i].Trim() : null;
            var message = fields.Length > 4 ? string.Join('\t', fields[4..]).Trim() : "";
            checks.Add(new PreflightEntry(fields[0].Trim(), Field(1), Field(2), Field(3), message.Length > 0 ? message : null));
        }

        if (summary.Count == 0 || !text.Contains("Checks", StringComparison.Ordinal))
        {
            throw new GlobalUpgradeException(ErrorIds.PreflightOutputUnreadable, FailureCategory.InvalidData,
                $"upgrade.sh --preflight on {where} printed no Summary and Checks sections, so readiness is UNKNOWN. Run it by hand (bash upgrade.sh --preflight) and compare.", where);
        }

        return new PreflightOutput(summary, checks);
    }

    private static GlobalUpgradeException Unreadable(string where, int lineNumber, string line) =>
        new(ErrorIds.PreflightOutputUnreadable, FailureCategory.InvalidData,
            $"upgrade.sh --preflight on {where}: line {lineNumber} is not a Summary 'Key: value' line or a tab-separated check row: '{(line.Length > 120 ? line[..120] + "…" : line)}'. Readiness is UNKNOWN; run it by hand and compare.", where);
}
