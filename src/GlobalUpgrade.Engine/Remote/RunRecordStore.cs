using GlobalUpgrade.Errors;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace GlobalUpgrade.Remote;

/// <summary>
/// Local records of detached runs (image syncs, upgrade triggers): one JSON file per run, no secrets, replaced
/// atomically, listed newest first. A damaged record is skipped in lists and an error when asked for by id.
/// </summary>
public abstract class RunRecordStore<TRun>
    where TRun : RecordedRun
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        Formatting = Formatting.Indented,
        Converters = { new StringEnumConverter() },
        DateParseHandling = DateParseHandling.DateTimeOffset,
        NullValueHandling = NullValueHandling.Include,
    };

    protected RunRecordStore(string stateFolder, string runsSubfolder)
    {
        StateFolder = stateFolder;
        RunsFolder = Path.Combine(stateFolder, runsSubfolder);
    }

    public string StateFolder { get; }

    public string RunsFolder { get; }

    public string DefaultLogPath(string id) => Path.Combine(RunsFolder, id + ".log");

    public void Save(TRun run)
    {
        Directory.CreateDirectory(RunsFolder);
        var path = Path.Combine(RunsFolder, run.Id + ".json");
        var temporary = path + "." + Environment.ProcessId + "." + Environment.CurrentManagedThreadId + ".tmp";
        File.WriteAllText(temporary, JsonConvert.SerializeObject(run, Settings));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Removes the record of a run that never started (nothing of it exists on the node).</summary>
    public void Delete(string id)
    {
        if (DetachedRun.IsRunId(id))
        {
            File.Delete(Path.Combine(RunsFolder, id + ".json"));
        }
    }

    public TRun? Find(string id)
    {
        // Something that is not a run id names no record (and never a path outside the folder).
        if (!DetachedRun.IsRunId(id))
        {
            return null;
        }

        var path = Path.Combine(RunsFolder, id + ".json");
        return File.Exists(path) ? Read(path) : null;
    }

    public TRun Get(string id) => Find(id) ?? throw NotFound(id);

    public IReadOnlyList<TRun> List()
    {
        if (!Directory.Exists(RunsFolder))
        {
            return [];
        }

        var runs = new List<TRun>();
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

    protected abstract GlobalUpgradeException NotFound(string id);

    private static TRun? Read(string path)
    {
        try
        {
            return JsonConvert.DeserializeObject<TRun>(File.ReadAllText(path), Settings);
        }
        catch (JsonException ex)
        {
            throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, $"The run record '{path}' is damaged: {ex.Message}", path, ex);
        }
    }
}
