namespace GlobalUpgrade.Rehearsal;

/// <summary>
/// Keeps a rehearsal's run records (image syncs, upgrade runs) in its own folder while it runs, never in the
/// operator's state folder: the runbook finds earlier runs there by cluster name and version, so a rehearsal's
/// "primary upgraded to v4.3" would otherwise make the real run skip its trigger, and a real run's records would
/// make the rehearsal skip steps. The state folder is chosen by the environment variable that
/// <see cref="ImageSync.ImageSyncStore.DefaultStateFolder"/> reads (process-wide: the rehearsal holds the pipeline
/// while it runs); disposing restores it.
/// </summary>
public sealed class RehearsalStateFolder : IDisposable
{
    public const string Variable = "GLOBALUPGRADE_STATE_HOME";

    private readonly string? previous;

    public RehearsalStateFolder(string workDirectory)
    {
        previous = Environment.GetEnvironmentVariable(Variable);
        Path = Directory.CreateDirectory(System.IO.Path.Combine(workDirectory, "state")).FullName;
        Environment.SetEnvironmentVariable(Variable, Path);
    }

    public string Path { get; }

    public void Dispose() => Environment.SetEnvironmentVariable(Variable, previous);
}
