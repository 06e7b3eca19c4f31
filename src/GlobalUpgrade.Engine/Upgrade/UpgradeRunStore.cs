using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// The local record of Start-GlobalUpgrade runs: one JSON file per run (no secrets) and the local copy of the
/// trigger's log, under <c>upgrades/</c> in the same per-user state folder as the image sync runs. Files are
/// replaced atomically.
/// </summary>
public sealed class UpgradeRunStore
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        Formatting = Formatting.Indented,
        Converters = { new StringEnumConverter() },
        DateParseHandling = DateParseHandling.DateTimeOffset,
        NullValueHandling = NullValueHandling.Include,
    };

    public UpgradeRunStore(string stateFolder)
    {
        StateFolder = stateFolder;
        RunsFolder = Path.Combine(stateFolder, "upgrades");
    }

    public static UpgradeRunStore Default => new(ImageSyncStore.DefaultStateFolder);

    public string StateFolder { get; }

    public string RunsFolder { get; }

    public string DefaultLogPath(string id) => Path.Combine(RunsFolder, id + ".log");

    public void Save(GlobalUpgradeRun run)
    {
        Directory.CreateDirectory(RunsFolder);
        var path = Path.Combine(RunsFolder, run.Id + ".json");
        var temporary = path + "." + Environment.ProcessId + "." + Environment.CurrentManagedThreadId + ".tmp";
        File.WriteAllText(temporary, JsonConvert.SerializeObject(run, Settings));
        File.Move(temporary, path, overwrite: true);
    }

    public GlobalUpgradeRun? Find(string id)
    {
        var path = Path.Combine(RunsFolder, Remote.DetachedRun.ValidateId(id) + ".json");
        return File.Exists(path) ? Read(path) : null;
    }

    public GlobalUpgradeRun Get(string id) =>
        Find(id) ?? throw new GlobalUpgradeException(ErrorIds.UpgradeRunNotFound, FailureCategory.ObjectNotFound,
            $"No upgrade run '{id}' is recorded in {RunsFolder}. Get-GlobalUpgradeStatus shows the last run of each connected cluster.", id);

    /// <summary>Every recorded run, newest first; damaged records are skipped.</summary>
    public IReadOnlyList<GlobalUpgradeRun> List()
    {
        if (!Directory.Exists(RunsFolder))
        {
            return [];
        }

        var runs = new List<GlobalUpgradeRun>();
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

    /// <summary>The newest run recorded for a cluster (optionally to a given version).</summary>
    public GlobalUpgradeRun? Latest(string cluster, string? toVersion = null) =>
        List().FirstOrDefault(r => string.Equals(r.Cluster, cluster, StringComparison.OrdinalIgnoreCase)
            && (toVersion is null || string.Equals(r.ToVersion, toVersion, StringComparison.OrdinalIgnoreCase)));

    private static GlobalUpgradeRun? Read(string path)
    {
        try
        {
            return JsonConvert.DeserializeObject<GlobalUpgradeRun>(File.ReadAllText(path), Settings);
        }
        catch (JsonException ex)
        {
            throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, $"The run record '{path}' is damaged: {ex.Message}", path, ex);
        }
    }
}
