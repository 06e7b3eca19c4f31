namespace GlobalUpgrade.Rehearsal;

/// <summary>
/// Where a rehearsal leaves what the operator reads afterwards: its journal and its report. With an output folder
/// given, both go there beside the working files; without one they go to the current folder, as a runbook's journal
/// does, named after the target and the start time so that rehearsals never overwrite each other, while the working
/// files (stand-in packages, the simulator's kubeconfig, run folders) stay in a temporary folder.
/// </summary>
public sealed record RehearsalOutput(string JournalPath, string ReportPath)
{
    public static RehearsalOutput In(string outputFolder) =>
        new(Path.Combine(outputFolder, "rehearsal.journal.json"), Path.Combine(outputFolder, "rehearsal-report.html"));

    public static RehearsalOutput InCurrentFolder(string currentFolder, string targetVersion, DateTimeOffset startedAt)
    {
        var name = $"globalupgrade-rehearsal-{targetVersion}-{startedAt.UtcDateTime:yyyyMMdd-HHmmss}";
        return new(Path.Combine(currentFolder, name + ".journal.json"), Path.Combine(currentFolder, name + ".report.html"));
    }
}
