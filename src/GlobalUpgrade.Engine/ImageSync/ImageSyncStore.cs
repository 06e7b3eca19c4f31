using GlobalUpgrade.Errors;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace GlobalUpgrade.ImageSync;

/// <summary>
/// The local record of image sync runs: one JSON file per run (no secrets) and the local copy of its log, in a
/// per-user state folder ($GLOBALUPGRADE_STATE_HOME, else $XDG_STATE_HOME/globalupgrade, else
/// ~/.local/state/globalupgrade). Files are replaced atomically.
/// </summary>
public sealed class ImageSyncStore
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        Formatting = Formatting.Indented,
        Converters = { new StringEnumConverter() },
        DateParseHandling = DateParseHandling.DateTimeOffset,
        NullValueHandling = NullValueHandling.Include,
    };

    public ImageSyncStore(string stateFolder)
    {
        StateFolder = stateFolder;
        RunsFolder = Path.Combine(stateFolder, "runs");
    }

    public static ImageSyncStore Default => new(DefaultStateFolder);

    public static string DefaultStateFolder
    {
        get
        {
            if (Environment.GetEnvironmentVariable("GLOBALUPGRADE_STATE_HOME") is { Length: > 0 } explicitHome)
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
    }

    public string StateFolder { get; }

    public string RunsFolder { get; }

    public string DefaultLogPath(string id) => Path.Combine(RunsFolder, id + ".log");

    public void Save(ImageSyncRun run)
    {
        Directory.CreateDirectory(RunsFolder);
        var path = Path.Combine(RunsFolder, run.Id + ".json");
        var temporary = path + "." + Environment.ProcessId + "." + Environment.CurrentManagedThreadId + ".tmp";
        File.WriteAllText(temporary, JsonConvert.SerializeObject(run, Settings));
        File.Move(temporary, path, overwrite: true);
    }

    public ImageSyncRun? Find(string id)
    {
        var path = Path.Combine(RunsFolder, id + ".json");
        return File.Exists(path) ? Read(path) : null;
    }

    public ImageSyncRun Get(string id) =>
        Find(id) ?? throw new GlobalUpgradeException(ErrorIds.ImageSyncNotFound, FailureCategory.ObjectNotFound,
            $"No image sync run '{id}' is recorded in {RunsFolder}. Get-GlobalImageSync lists the known runs.", id);

    /// <summary>Every recorded run, newest first; damaged records are skipped.</summary>
    public IReadOnlyList<ImageSyncRun> List()
    {
        if (!Directory.Exists(RunsFolder))
        {
            return [];
        }

        var runs = new List<ImageSyncRun>();
        foreach (var path in Directory.EnumerateFiles(RunsFolder, "*.json"))
        {
            try
            {
                if (Read(path) is { } run)
                {
                    runs.Add(run);
                }
            }
            catch (GlobalUpgradeException)
            {
            }
        }

        return runs.OrderByDescending(r => r.StartedAt).ToList();
    }

    private static ImageSyncRun? Read(string path)
    {
        try
        {
            return JsonConvert.DeserializeObject<ImageSyncRun>(File.ReadAllText(path), Settings);
        }
        catch (JsonException ex)
        {
            throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, $"The run record '{path}' is damaged: {ex.Message}", path, ex);
        }
    }
}

/// <summary>What Start-GlobalUpgrade asks before it uses a package: did its image sync succeed for this cluster?</summary>
public static class ImageSyncLedger
{
    /// <summary>True when a recorded sync of <paramref name="packagePath"/> for <paramref name="cluster"/> succeeded.</summary>
    public static bool HasSucceeded(string cluster, string packagePath, ImageSyncStore? store = null) =>
        LastSucceeded(cluster, packagePath, store) is not null;

    /// <summary>The newest successful sync of the package for the cluster (its PackageIdentity says which package it was).</summary>
    public static ImageSyncRun? LastSucceeded(string cluster, string packagePath, ImageSyncStore? store = null) =>
        (store ?? ImageSyncStore.Default).List().FirstOrDefault(r =>
            r.State == ImageSyncState.Succeeded
            && string.Equals(r.Cluster, cluster, StringComparison.OrdinalIgnoreCase)
            && string.Equals(NormalizePath(r.PackagePath), NormalizePath(packagePath), StringComparison.Ordinal));

    public static string NormalizePath(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
