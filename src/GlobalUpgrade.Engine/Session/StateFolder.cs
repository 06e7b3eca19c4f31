using System.Collections.Concurrent;

namespace GlobalUpgrade.Session;

/// <summary>
/// Where a session keeps its run records (image syncs, upgrade runs): $GLOBALUPGRADE_STATE_HOME, else
/// $XDG_STATE_HOME/globalupgrade, else ~/.local/state/globalupgrade (%LOCALAPPDATA%\GlobalUpgrade on Windows).
/// The only place that reads the variable. A session may be given a folder of its own instead (the rehearsal's
/// private runspace), so nothing process-wide changes while another session runs.
/// </summary>
public static class StateFolder
{
    public const string Variable = "GLOBALUPGRADE_STATE_HOME";

    private static readonly ConcurrentDictionary<Guid, string> Assigned = new();

    /// <summary>The state folder of a session: its own when one was assigned, else the user's.</summary>
    public static string For(Guid sessionId) => Assigned.TryGetValue(sessionId, out var folder) ? folder : OfUser();

    /// <summary>Gives a session its own state folder until the result is disposed.</summary>
    public static IDisposable Assign(Guid sessionId, string folder)
    {
        Assigned[sessionId] = folder;
        return new Assignment(sessionId);
    }

    /// <summary>The user's state folder, from the environment.</summary>
    public static string OfUser()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } explicitHome)
        {
            return explicitHome;
        }

        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "GlobalUpgrade");
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        return Path.Combine(xdg is { Length: > 0 } ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state"), "globalupgrade");
    }

    private sealed class Assignment(Guid sessionId) : IDisposable
    {
        public void Dispose() => Assigned.TryRemove(sessionId, out _);
    }
}
