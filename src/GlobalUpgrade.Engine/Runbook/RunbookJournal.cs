using System.Security.Cryptography;
using System.Text;
using GlobalUpgrade.Errors;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Linq;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// The runbook's memory on disk. Every change is written atomically (a temp file beside it, flushed to disk, then
/// renamed over it), so a killed run leaves either the previous or the new journal, never half of one. A lock file
/// held for the life of this object keeps two runbooks off one journal. A damaged journal is an error, never a
/// silent restart.
/// </summary>
public sealed class RunbookJournal : IDisposable
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        Formatting = Formatting.Indented,
        DateParseHandling = DateParseHandling.DateTimeOffset,
        Converters = { new StringEnumConverter() },
        MissingMemberHandling = MissingMemberHandling.Ignore,
    };

    private readonly FileStream lockHandle;
    private readonly object gate = new();

    private RunbookJournal(string path, FileStream lockHandle, JournalDocument document)
    {
        Path = path;
        this.lockHandle = lockHandle;
        Document = document;
    }

    public string Path { get; }

    public JournalDocument Document { get; }

    /// <summary>Creates a new journal; an existing one is refused (resume it, or choose another path).</summary>
    public static RunbookJournal Create(string path, JournalDocument document)
    {
        var handle = AcquireLock(path);
        try
        {
            if (File.Exists(path))
            {
                throw new GlobalUpgradeException(
                    ErrorIds.JournalExists,
                    FailureCategory.ResourceExists,
                    $"The journal '{path}' already exists. Continue that runbook with -Resume, or give a new -JournalPath.",
                    path);
            }

            var journal = new RunbookJournal(path, handle, document);
            document.CreatedAt = DateTimeOffset.Now;
            journal.Save();
            return journal;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing journal to resume it.</summary>
    public static RunbookJournal Open(string path)
    {
        var handle = AcquireLock(path);
        try
        {
            if (!File.Exists(path))
            {
                throw new GlobalUpgradeException(
                    ErrorIds.JournalNotFound,
                    FailureCategory.ObjectNotFound,
                    $"There is no journal '{path}' to resume. Give the -JournalPath of the interrupted run, or start without -Resume.",
                    path);
            }

            return new RunbookJournal(path, handle, Read(path));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads a journal without locking it (reports, plans).</summary>
    public static JournalDocument Read(string path)
    {
        FileInput.Existing(path, "-JournalPath", ErrorIds.JournalNotFound);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new GlobalUpgradeException(ErrorIds.JournalNotFound, FailureCategory.ObjectNotFound, $"The journal '{path}' cannot be read: {ex.Message}", path, ex);
        }

        JournalDocument? document;
        try
        {
            document = JsonConvert.DeserializeObject<JournalDocument>(text, Settings);
        }
        catch (JsonException ex)
        {
            throw Corrupt(path, $"it is not valid JSON ({ex.Message.Split('\n')[0]})", ex);
        }

        if (document is null || document.Format != JournalDocument.CurrentFormat || string.IsNullOrEmpty(document.InputsDigest) || document.Steps.Count == 0)
        {
            throw Corrupt(path, document is null ? "it is empty" : "it lacks its format, inputs digest or steps", null);
        }

        return document;
    }

    public static string Digest(JObject inputs)
    {
        var canonical = Canonical(inputs).ToString(Formatting.None);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))).ToLowerInvariant();
    }

    public JournalStep Step(string name, string cluster) =>
        Document.Steps.FirstOrDefault(s => s.Name == name && s.Cluster == cluster)
        ?? throw new InvalidOperationException($"The journal has no step {name} [{cluster}].");

    /// <summary>Applies a change and writes the journal at once.</summary>
    public void Update(Action<JournalDocument> change)
    {
        lock (gate)
        {
            change(Document);
            Save();
        }
    }

    public void Dispose()
    {
        lockHandle.Dispose();
        try
        {
            File.Delete(LockPath(Path));
        }
        catch (IOException)
        {
        }
    }

    private void Save()
    {
        Document.UpdatedAt = DateTimeOffset.Now;
        var json = JsonConvert.SerializeObject(Document, Settings);
        var temp = Path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(json);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path, overwrite: true);
    }

    private static FileStream AcquireLock(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        try
        {
            // FileShare.None is an advisory lock across .NET processes; a killed process releases it.
            return new FileStream(LockPath(path), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex)
        {
            throw new GlobalUpgradeException(
                ErrorIds.JournalLocked,
                FailureCategory.ResourceUnavailable,
                $"Another runbook is using the journal '{path}' (its lock {LockPath(path)} is held). Wait for it to finish, or stop it first.",
                path,
                ex);
        }
    }

    private static string LockPath(string path) => path + ".lock";

    private static GlobalUpgradeException Corrupt(string path, string why, Exception? inner) => new(
        ErrorIds.JournalCorrupt,
        FailureCategory.InvalidData,
        $"The journal '{path}' is damaged: {why}. It is not restarted from scratch: inspect or restore the file, or start a new runbook with another -JournalPath after checking the clusters' state (Get-GlobalUpgradePlan).",
        path,
        inner);

    private static JToken Canonical(JToken token) => token switch
    {
        JObject obj => new JObject(obj.Properties().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new JProperty(p.Name, Canonical(p.Value)))),
        JArray array => new JArray(array.Select(Canonical)),
        _ => token.DeepClone(),
    };
}
