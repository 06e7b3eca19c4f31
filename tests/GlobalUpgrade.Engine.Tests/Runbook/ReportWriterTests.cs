using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GlobalUpgrade.Runbook;
using Newtonsoft.Json.Linq;
using Xunit;

namespace GlobalUpgrade.Tests.Runbook;

public sealed class ReportWriterTests
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void HtmlIsWellFormedWithStepsChecksAndATimelinePerCluster()
    {
        var html = new StringWriter();
        ReportWriter.WriteHtml(Journal(), html);
        var doc = XDocument.Parse(html.ToString());

        Assert.DoesNotContain(doc.Descendants(), e => e.Name.LocalName is "script" or "link" or "img");
        var rows = doc.Descendants(Xhtml + "tr").Select(tr => tr.Elements(Xhtml + "td").Select(td => td.Value).ToList()).Where(r => r.Count == 7).ToList();
        Assert.Equal(["Preflight", "UpgradeStandby", "UpgradePrimary"], rows.Select(r => r[0]));
        Assert.Equal("Failed", rows[2][2]);
        Assert.Equal("ClusterModule DeployFailed: <bad> & \"worse\"", rows[2][6]);

        var bars = doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "step").ToList();
        Assert.Equal(4, bars.Count); // Preflight spans both lanes
        Assert.Equal(["primary", "standby"], bars.Where(b => (string?)b.Attribute("data-step") == "Preflight").Select(b => (string?)b.Attribute("data-cluster")).Order());
        Assert.Equal("Failed", (string?)bars.Single(b => (string?)b.Attribute("data-step") == "UpgradePrimary").Attribute("data-state"));
        var standbyBar = bars.Single(b => (string?)b.Attribute("data-step") == "UpgradeStandby").Element(Svg + "rect")!;
        var primaryBar = bars.Single(b => (string?)b.Attribute("data-step") == "UpgradePrimary").Element(Svg + "rect")!;
        Assert.True(double.Parse((string)primaryBar.Attribute("x")!, System.Globalization.CultureInfo.InvariantCulture) > double.Parse((string)standbyBar.Attribute("x")!, System.Globalization.CultureInfo.InvariantCulture), "the primary's bar starts after the standby's");

        var checks = doc.Descendants(Xhtml + "tr").Select(tr => tr.Elements(Xhtml + "td").Select(td => td.Value).ToList()).Where(r => r.Count == 5).ToList();
        Assert.Equal([("MachinesRunning", "passed"), ("StandbyInSync", "failed")], checks.Select(r => (r[1], r[3])));
        Assert.Contains(doc.Descendants(Xhtml + "td"), td => td.Value == "Failed");
    }

    [Fact]
    public void MarkdownCarriesTheSameTablesAndAnEmbeddedSvg()
    {
        var md = new StringWriter();
        ReportWriter.WriteMarkdown(Journal(), md);
        var text = md.ToString();
        Assert.Contains("| UpgradePrimary | primary | Failed |", text, StringComparison.Ordinal);
        Assert.Contains("| Preflight | StandbyInSync | standby | failed |", text, StringComparison.Ordinal);
        var data = Regex.Match(text, @"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)").Groups[1].Value;
        var svg = XDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(data)));
        Assert.Equal(4, svg.Descendants(Svg + "rect").Count());
    }

    private static JournalDocument Journal()
    {
        var t0 = new DateTimeOffset(2026, 11, 26, 22, 0, 0, TimeSpan.Zero);
        var preflight = new JournalStep { Name = "Preflight", Cluster = "primary,standby", State = StepState.Succeeded, StartedAt = t0, FinishedAt = t0.AddMinutes(1), Message = "ok" };
        preflight.Outputs["checks"] = JArray.Parse("""[{"check":"MachinesRunning","target":"primary","passed":true,"message":"all Running"},{"check":"StandbyInSync","target":"standby","passed":false,"message":"2 missed"}]""");
        return new JournalDocument
        {
            Runbook = "GlobalDrUpgrade",
            TargetVersion = "v4.2.0",
            Inputs = JObject.Parse("""{"package":"/root/pkg"}"""),
            InputsDigest = "x",
            UpdatedAt = t0.AddHours(2),
            Steps =
            [
                preflight,
                new JournalStep { Name = "UpgradeStandby", Cluster = "standby", State = StepState.Succeeded, StartedAt = t0.AddMinutes(2), FinishedAt = t0.AddMinutes(40) },
                new JournalStep { Name = "UpgradePrimary", Cluster = "primary", State = StepState.Failed, StartedAt = t0.AddMinutes(41), FinishedAt = t0.AddMinutes(70), Message = "ClusterModule DeployFailed: <bad> & \"worse\"" },
            ],
        };
    }
}
