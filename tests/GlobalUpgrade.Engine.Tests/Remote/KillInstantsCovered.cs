namespace GlobalUpgrade.Tests.Remote;

/// <summary>
/// The evidence of the kill tests: one line per kill (test, instant, where, how the operation ended), appended to
/// kill-instants.tsv in the folder $GLOBALUPGRADE_TEST_EVIDENCE names (build.ps1's Test task sets it and prints how
/// many distinct instants the suite covered). Without the variable nothing is written.
/// </summary>
internal static class KillInstantsCovered
{
    public static void Record(string test, string instant, bool remote, Exception stoppedWith)
    {
        var folder = Environment.GetEnvironmentVariable("GLOBALUPGRADE_TEST_EVIDENCE");
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        // One short line per append: concurrent tests' lines do not interleave (O_APPEND).
        File.AppendAllText(Path.Combine(folder, "kill-instants.tsv"), $"{test}\t{instant}\t{(remote ? "ssh" : "local")}\t{stoppedWith.GetType().Name}\n");
    }
}
