using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Validation;

/// <summary>
/// The one check of a local file path given by the user: a file to read must be a file (a folder gets its own
/// message, not "does not exist"); a file to write must be creatable (its folder exists, is a folder and is writable;
/// the path itself is not a folder). Checked before any work starts, so a bad path never fails after hours.
/// </summary>
public static class FileInput
{
    /// <summary>An existing file; <paramref name="notFoundId"/> is the caller's id for "does not exist".</summary>
    public static string Existing(string path, string parameter, string notFoundId = ErrorIds.FileNotFound)
    {
        if (Directory.Exists(path))
        {
            throw new GlobalUpgradeException(ErrorIds.FileExpected, FailureCategory.InvalidArgument,
                $"{parameter} '{path}' is a folder; give the path of a file.", path);
        }

        if (!File.Exists(path))
        {
            throw new GlobalUpgradeException(notFoundId, FailureCategory.ObjectNotFound,
                $"{parameter} '{path}' does not exist; give the path of an existing file.", path);
        }

        return path;
    }

    /// <summary>A file that can be created or replaced; returns its full path.</summary>
    public static string ToWrite(string path, string parameter)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw Invalid(path, parameter, "it is a folder; give a file name inside it");
        }

        var folder = Path.GetDirectoryName(full) ?? full;
        var existing = folder;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            if (File.Exists(existing))
            {
                throw Invalid(path, parameter, $"'{existing}' is a file, not a folder");
            }

            existing = parent;
        }

        if (existing != folder)
        {
            throw Invalid(path, parameter, $"its folder '{folder}' does not exist; create it first");
        }

        if (!CanWriteIn(folder) || (File.Exists(full) && new FileInfo(full).IsReadOnly))
        {
            throw new GlobalUpgradeException(ErrorIds.OutputPathInvalid, FailureCategory.PermissionDenied,
                $"{parameter} '{path}' cannot be written: no write permission in '{folder}'. Choose a writable folder.", path);
        }

        return full;
    }

    // Probes with a real file: permission bits alone miss read-only mounts and ACLs.
    private static bool CanWriteIn(string folder)
    {
        var probe = Path.Combine(folder, $".gu-write-probe-{Guid.NewGuid():n}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    private static GlobalUpgradeException Invalid(string path, string parameter, string reason) =>
        new(ErrorIds.OutputPathInvalid, FailureCategory.InvalidArgument, $"{parameter} '{path}' cannot be written: {reason}.", path);
}
