using System.Globalization;
using System.Text.RegularExpressions;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.ImageSync;

/// <summary>The image sync's progress: the newest "done/total" count in its log (-ProgressPattern: two groups).</summary>
public sealed class ImageSyncProgress(string pattern) : IRunProgressParser
{
    public const string DefaultPattern = @"(\d+)\s*/\s*(\d+)";

    private readonly Regex regex = Parse(pattern);

    /// <summary>The pattern as a regex with the two groups (done, total) it needs; ProgressPatternInvalid otherwise.</summary>
    public static Regex Parse(string pattern)
    {
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new GlobalUpgradeException(ErrorIds.ProgressPatternInvalid, FailureCategory.InvalidArgument, $"-ProgressPattern '{pattern}' is not a valid regular expression: {ex.Message}", pattern);
        }

        // Group 0 is the whole match: the count needs two more.
        return regex.GetGroupNumbers().Length >= 3
            ? regex
            : throw new GlobalUpgradeException(ErrorIds.ProgressPatternInvalid, FailureCategory.InvalidArgument,
                $"-ProgressPattern '{pattern}' needs two groups, the count done and the total, e.g. '{DefaultPattern}'.", pattern);
    }

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
