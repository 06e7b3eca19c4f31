using System.Globalization;
using System.Text.RegularExpressions;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.ImageSync;

/// <summary>The image sync's progress: the newest "done/total" count in its log (-ProgressPattern: two groups).</summary>
public sealed class ImageSyncProgress(string pattern) : IRunProgressParser
{
    public const string DefaultPattern = @"(\d+)\s*/\s*(\d+)";

    private readonly Regex regex = new(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public int PercentComplete(IReadOnlyList<string> lastLines)
    {
        try
        {
            for (var i = lastLines.Count - 1; i >= 0; i--)
            {
                var match = regex.Match(lastLines[i]);
                if (match.Success && match.Groups.Count >= 3
                    && double.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var done)
                    && double.TryParse(match.Groups[2].Value, CultureInfo.InvariantCulture, out var total) && total > 0)
                {
                    return (int)Math.Clamp(done * 100 / total, 0, 100);
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
        }

        return -1;
    }
}
