using System.Globalization;
using System.Xml;

namespace GlobalUpgrade.Runbook;

/// <summary>Draws the steps of a runbook across its clusters as an SVG timeline: one lane per cluster, one bar per step.</summary>
public static class TimelineSvg
{
    private const int LabelWidth = 110;
    private const int ChartWidth = 760;
    private const int LaneHeight = 34;
    private const int AxisHeight = 26;

    public static void Write(XmlWriter writer, IReadOnlyList<JournalStep> steps)
    {
        var timed = steps.Where(s => s.StartedAt is not null).ToList();
        var lanes = steps.SelectMany(s => s.Cluster.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();
        var height = AxisHeight + (lanes.Count * LaneHeight) + 10;
        const string svg = "http://www.w3.org/2000/svg";
        writer.WriteStartElement("svg", svg);
        writer.WriteAttributeString("width", Num(LabelWidth + ChartWidth + 20));
        writer.WriteAttributeString("height", Num(height));
        writer.WriteAttributeString("viewBox", $"0 0 {LabelWidth + ChartWidth + 20} {height}");
        writer.WriteAttributeString("role", "img");
        writer.WriteAttributeString("aria-label", "Timeline of the runbook steps per cluster");
        if (timed.Count == 0)
        {
            Text(writer, svg, 10, 20, "No step has started yet.", "note");
            writer.WriteEndElement();
            return;
        }

        var start = timed.Min(s => s.StartedAt!.Value);
        var end = timed.Max(s => s.FinishedAt ?? s.StartedAt!.Value);
        var span = Math.Max((end - start).TotalSeconds, 1);
        double X(DateTimeOffset t) => LabelWidth + ((t - start).TotalSeconds / span * ChartWidth);

        Text(writer, svg, LabelWidth, 14, start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), "axis");
        Text(writer, svg, LabelWidth + ChartWidth - 150, 14, $"+{FormatSpan(end - start)}", "axis");
        for (var lane = 0; lane < lanes.Count; lane++)
        {
            var y = AxisHeight + (lane * LaneHeight);
            Text(writer, svg, 4, y + 21, lanes[lane], "lane");
            writer.WriteStartElement("line", svg);
            writer.WriteAttributeString("x1", Num(LabelWidth));
            writer.WriteAttributeString("x2", Num(LabelWidth + ChartWidth));
            writer.WriteAttributeString("y1", Num(y + LaneHeight - 2));
            writer.WriteAttributeString("y2", Num(y + LaneHeight - 2));
            writer.WriteAttributeString("stroke", "#ddd");
            writer.WriteEndElement();
        }

        foreach (var step in timed)
        {
            var x = X(step.StartedAt!.Value);
            var width = Math.Max(X(step.FinishedAt ?? step.StartedAt!.Value) - x, 3);
            foreach (var lane in step.Cluster.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var y = AxisHeight + (lanes.IndexOf(lane) * LaneHeight) + 4;
                writer.WriteStartElement("g", svg);
                writer.WriteAttributeString("class", "step");
                writer.WriteAttributeString("data-step", step.Name);
                writer.WriteAttributeString("data-cluster", lane);
                writer.WriteAttributeString("data-state", step.State.ToString());
                writer.WriteStartElement("title", svg);
                writer.WriteString($"{step.Name} on {lane}: {step.State}, {FormatSpan((step.FinishedAt ?? step.StartedAt!.Value) - step.StartedAt!.Value)}");
                writer.WriteEndElement();
                writer.WriteStartElement("rect", svg);
                writer.WriteAttributeString("x", Num(x));
                writer.WriteAttributeString("y", Num(y));
                writer.WriteAttributeString("width", Num(width));
                writer.WriteAttributeString("height", Num(LaneHeight - 10));
                writer.WriteAttributeString("rx", "3");
                writer.WriteAttributeString("fill", Colour(step.State));
                writer.WriteEndElement();
                Text(writer, svg, x + 3, y + 16, step.Name, "bar");
                writer.WriteEndElement();
            }
        }

        writer.WriteEndElement();
    }

    public static string FormatSpan(TimeSpan span) => span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:00}s" : $"{span.TotalSeconds:0.#}s";

    private static string Colour(StepState state) => state switch
    {
        StepState.Succeeded => "#4caf50",
        StepState.Failed => "#e53935",
        StepState.Running => "#fb8c00",
        StepState.Skipped => "#9e9e9e",
        _ => "#90caf9",
    };

    private static void Text(XmlWriter writer, string ns, double x, double y, string text, string cssClass)
    {
        writer.WriteStartElement("text", ns);
        writer.WriteAttributeString("x", Num(x));
        writer.WriteAttributeString("y", Num(y));
        writer.WriteAttributeString("class", cssClass);
        writer.WriteAttributeString("font-family", "sans-serif");
        writer.WriteAttributeString("font-size", cssClass == "bar" ? "10" : "12");
        writer.WriteString(text);
        writer.WriteEndElement();
    }

    private static string Num(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
