using System.Management.Automation;
using System.Text;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Runbook;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Commands.Runbook;

/// <summary>Writes a self-contained HTML or Markdown report of a runbook from its journal, for change records.</summary>
[Cmdlet(VerbsData.Export, "GlobalUpgradeReport", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportGlobalUpgradeReportCommand : GlobalUpgradeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string JournalPath { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    protected override void ProcessRecord()
    {
        var journalPath = GetUnresolvedProviderPathFromPSPath(JournalPath);
        var reportPath = GetUnresolvedProviderPathFromPSPath(Path);
        var extension = System.IO.Path.GetExtension(reportPath).ToLowerInvariant();
        if (extension is not (".html" or ".htm" or ".md"))
        {
            ThrowFailure(ErrorIds.UnsupportedReportFormat, FailureCategory.InvalidArgument, $"-Path '{Path}' must end in .html, .htm or .md: the report format follows the extension.", Path);
        }

        _ = Require(() => FileInput.ToWrite(reportPath, "-Path"));
        var journal = Require(() => RunbookJournal.Read(journalPath));
        if (!ShouldProcess(reportPath, "Write the upgrade report"))
        {
            return;
        }

        using (var output = new StreamWriter(reportPath, append: false, new UTF8Encoding(false)))
        {
            if (extension == ".md")
            {
                ReportWriter.WriteMarkdown(journal, output);
            }
            else
            {
                ReportWriter.WriteHtml(journal, output);
            }
        }

        WriteObject(new FileInfo(reportPath));
    }
}
