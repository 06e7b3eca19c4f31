using System.Globalization;
using System.Text;
using System.Xml;
using GlobalUpgrade.Platform;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// A self-contained report of a runbook for change records: summary, steps with times and messages, the documented
/// manual steps of the path in order, the checks with their results, and a timeline. HTML is well-formed XHTML with the SVG inline; Markdown embeds the same
/// SVG as a data URI. No external assets either way. Everything comes from the journal, which holds no secret.
/// </summary>
public static class ReportWriter
{
    /// <param name="findings">A rehearsal's findings: when given, they are the report's first section.</param>
    public static void WriteHtml(JournalDocument journal, TextWriter output, IReadOnlyList<RehearsalFinding>? findings = null)
    {
        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = true, Encoding = Encoding.UTF8 };
        using var writer = XmlWriter.Create(output, settings);
        const string xhtml = "http://www.w3.org/1999/xhtml";
        writer.WriteDocType("html", null, null, null);
        writer.WriteStartElement("html", xhtml);
        writer.WriteStartElement("head", xhtml);
        writer.WriteStartElement("meta", xhtml);
        writer.WriteAttributeString("charset", "utf-8");
        writer.WriteEndElement();
        writer.WriteElementString("title", xhtml, Title(journal));
        writer.WriteElementString("style", xhtml, "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.Succeeded,.passed{color:#2e7d32}.Failed,.failed{color:#c62828}.Running{color:#ef6c00}");
        writer.WriteEndElement();
        writer.WriteStartElement("body", xhtml);
        writer.WriteElementString("h1", xhtml, Title(journal));
        if (findings is not null)
        {
            writer.WriteElementString("h2", xhtml, "Findings");
            if (findings.Count == 0)
            {
                writer.WriteElementString("p", xhtml, FindingsNone);
            }
            else
            {
                Table(writer, xhtml, FindingHeaders, findings.Select(FindingRow), null);
            }
        }

        writer.WriteElementString("h2", xhtml, "Summary");
        Table(writer, xhtml, ["Item", "Value"], Summary(journal).Select(kv => new[] { kv.Key, kv.Value }), null);

        writer.WriteElementString("h2", xhtml, "Timeline");
        writer.WriteStartElement("div", xhtml);
        writer.WriteAttributeString("id", "timeline");
        TimelineSvg.Write(writer, journal.Steps);
        writer.WriteEndElement();

        writer.WriteElementString("h2", xhtml, "Steps");
        Table(writer, xhtml, ["Step", "Cluster", "State", "Started", "Finished", "Duration", "Message"], journal.Steps.Select(StepRow), row => row[2]);

        writer.WriteElementString("h2", xhtml, ManualStepsTitle);
        var manual = ManualStepRows(journal).ToList();
        if (manual.Count == 0)
        {
            writer.WriteElementString("p", xhtml, ManualStepsNone(journal));
        }
        else
        {
            Table(writer, xhtml, ManualStepHeaders, manual, null);
        }

        writer.WriteElementString("h2", xhtml, "Checks");
        var checks = Checks(journal).ToList();
        if (checks.Count == 0)
        {
            writer.WriteElementString("p", xhtml, "No check results were recorded.");
        }
        else
        {
            Table(writer, xhtml, ["Step", "Check", "Target", "Result", "Message"], checks, row => row[3]);
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    public static void WriteMarkdown(JournalDocument journal, TextWriter output, IReadOnlyList<RehearsalFinding>? findings = null)
    {
        output.WriteLine($"# {Title(journal)}");
        output.WriteLine();
        if (findings is not null)
        {
            output.WriteLine("## Findings");
            if (findings.Count == 0)
            {
                output.WriteLine(FindingsNone);
            }
            else
            {
                output.WriteLine("| " + string.Join(" | ", FindingHeaders) + " |");
                output.WriteLine("|---|---|---|---|");
                foreach (var row in findings.Select(FindingRow))
                {
                    output.WriteLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
                }
            }

            output.WriteLine();
        }

        output.WriteLine("## Summary");
        output.WriteLine("| Item | Value |");
        output.WriteLine("|---|---|");
        foreach (var (key, value) in Summary(journal))
        {
            output.WriteLine($"| {Cell(key)} | {Cell(value)} |");
        }

        output.WriteLine();
        output.WriteLine("## Timeline");
        var svg = new StringBuilder();
        using (var writer = XmlWriter.Create(svg, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            TimelineSvg.Write(writer, journal.Steps);
        }

        output.WriteLine($"![Timeline of the steps](data:image/svg+xml;base64,{Convert.ToBase64String(Encoding.UTF8.GetBytes(svg.ToString()))})");
        output.WriteLine();
        output.WriteLine("## Steps");
        output.WriteLine("| Step | Cluster | State | Started | Finished | Duration | Message |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var row in journal.Steps.Select(StepRow))
        {
            output.WriteLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        }

        output.WriteLine();
        output.WriteLine($"## {ManualStepsTitle}");
        var manual = ManualStepRows(journal).ToList();
        if (manual.Count == 0)
        {
            output.WriteLine(ManualStepsNone(journal));
        }
        else
        {
            output.WriteLine("| " + string.Join(" | ", ManualStepHeaders) + " |");
            output.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", ManualStepHeaders.Length)));
            foreach (var row in manual)
            {
                output.WriteLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
            }
        }

        output.WriteLine();
        output.WriteLine("## Checks");
        var checks = Checks(journal).ToList();
        if (checks.Count == 0)
        {
            output.WriteLine("No check results were recorded.");
            return;
        }

        output.WriteLine("| Step | Check | Target | Result | Message |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var row in checks)
        {
            output.WriteLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        }
    }

    private const string FindingsNone = "The rehearsal found nothing to fix.";

    private const string ManualStepsTitle = "Manual steps";

    private static readonly string[] ManualStepHeaders = ["#", "When", "Step", "What to do", "Recorded result", "Source"];

    private static string ManualStepsNone(JournalDocument journal) =>
        PlatformVersion.TryParse(journal.SourceVersion, out _) && PlatformVersion.TryParse(journal.TargetVersion, out _)
            ? $"The docs give no step for a person on {journal.SourceVersion} → {journal.TargetVersion}."
            : "The path is unknown (the journal has no source version), so its manual steps cannot be listed.";

    /// <summary>
    /// The documented steps of the journal's path that need a person, in the order they are done
    /// (<see cref="ManualSteps"/>), each with what the runbook recorded for it, if it did.
    /// </summary>
    private static IEnumerable<string[]> ManualStepRows(JournalDocument journal)
    {
        if (!PlatformVersion.TryParse(journal.SourceVersion, out var from) || !PlatformVersion.TryParse(journal.TargetVersion, out var to))
        {
            return [];
        }

        var recorded = (from step in journal.Steps
                        where step.Outputs["checks"] is JArray
                        from check in ((JArray)step.Outputs["checks"]!).OfType<JObject>()
                        select check).ToList();
        return ManualSteps.Of(from, to, journal.Runbook == UpgradeRunbooks.DrRunbook).Select((step, i) => new[]
        {
            (i + 1).ToString(CultureInfo.InvariantCulture),
            ManualSteps.Describe(step.Phase),
            step.Check,
            step.Action,
            Recorded(recorded.Where(c => (string?)c["check"] == step.Check).ToList()),
            step.Source,
        });
    }

    private static string Recorded(List<JObject> checks) =>
        checks.Count == 0 ? "not yet recorded" : string.Join("; ", checks.Select(c => $"{(string?)c["state"] ?? ((bool?)c["passed"] == true ? "Passed" : "Failed")} on {(string?)c["target"]}"));

    private static readonly string[] FindingHeaders = ["Source", "Cluster", "Finding", "Message"];

    private static string[] FindingRow(RehearsalFinding finding) => [finding.Source, finding.Cluster, finding.Code, finding.Message];

    private static string Title(JournalDocument journal) =>
        $"{(journal.Runbook == "GlobalDrUpgrade" ? "Global DR upgrade" : "Global cluster upgrade")} to {journal.TargetVersion}";

    private static IEnumerable<KeyValuePair<string, string>> Summary(JournalDocument journal)
    {
        var started = journal.Steps.Where(s => s.StartedAt is not null).Select(s => s.StartedAt!.Value).DefaultIfEmpty().Min();
        var finished = journal.Steps.Where(s => s.FinishedAt is not null).Select(s => s.FinishedAt!.Value).DefaultIfEmpty().Max();
        var outcome = journal.Steps.Any(s => s.State == StepState.Failed) ? "Failed"
            : journal.Steps.All(s => s.State is StepState.Succeeded or StepState.Skipped) ? "Succeeded"
            : "In progress";
        yield return new("Outcome", outcome);
        yield return new("Target version", journal.TargetVersion);
        foreach (var input in journal.Inputs.Properties())
        {
            yield return new($"Input: {input.Name}", input.Value.Type == JTokenType.String ? input.Value.ToString() : input.Value.ToString(Newtonsoft.Json.Formatting.None));
        }

        yield return new("Started", started == default ? "-" : Time(started));
        yield return new("Finished", finished == default ? "-" : Time(finished));
        yield return new("Steps", $"{journal.Steps.Count(s => s.State == StepState.Succeeded)} succeeded, {journal.Steps.Count(s => s.State == StepState.Skipped)} skipped, {journal.Steps.Count(s => s.State == StepState.Failed)} failed, {journal.Steps.Count(s => s.State is StepState.Pending or StepState.Running)} not done");
        yield return new("Journal updated", Time(journal.UpdatedAt));
    }

    private static string[] StepRow(JournalStep step) =>
    [
        step.Name,
        step.Cluster,
        step.State.ToString(),
        step.StartedAt is { } s ? Time(s) : "-",
        step.FinishedAt is { } f ? Time(f) : "-",
        step.StartedAt is { } a && step.FinishedAt is { } b ? TimelineSvg.FormatSpan(b - a) : "-",
        step.Message ?? "",
    ];

    /// <summary>Check results steps recorded in their outputs as "checks": [{check, target, passed, message}].</summary>
    private static IEnumerable<string[]> Checks(JournalDocument journal) =>
        from step in journal.Steps
        where step.Outputs["checks"] is JArray
        from check in ((JArray)step.Outputs["checks"]!).OfType<JObject>()
        select new[]
        {
            step.Name,
            (string?)check["check"] ?? "",
            (string?)check["target"] ?? "",
            (bool?)check["passed"] == true ? "passed" : "failed",
            (string?)check["message"] ?? "",
        };

    private static void Table(XmlWriter writer, string ns, string[] headers, IEnumerable<string[]> rows, Func<string[], string>? rowClass)
    {
        writer.WriteStartElement("table", ns);
        writer.WriteStartElement("tr", ns);
        foreach (var header in headers)
        {
            writer.WriteElementString("th", ns, header);
        }

        writer.WriteEndElement();
        foreach (var row in rows)
        {
            writer.WriteStartElement("tr", ns);
            if (rowClass is not null)
            {
                writer.WriteAttributeString("class", rowClass(row));
            }

            foreach (var cell in row)
            {
                writer.WriteElementString("td", ns, cell);
            }

            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }

    private static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal);
}
