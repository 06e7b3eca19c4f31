using System.Text;
using GlobalUpgrade.Runbook;

namespace GlobalUpgrade.Rehearsal;

/// <summary>The rehearsal's report: Export-GlobalUpgradeReport's, with the findings as its first section.</summary>
public static class RehearsalReport
{
    public static bool Write(string journalPath, string reportPath, IReadOnlyList<RehearsalFinding> findings)
    {
        var journal = RunbookJournal.Read(journalPath);
        using var output = new StreamWriter(reportPath, append: false, new UTF8Encoding(false));
        if (Path.GetExtension(reportPath).Equals(".md", StringComparison.OrdinalIgnoreCase))
        {
            ReportWriter.WriteMarkdown(journal, output, findings);
        }
        else
        {
            ReportWriter.WriteHtml(journal, output, findings);
        }

        return true;
    }
}
