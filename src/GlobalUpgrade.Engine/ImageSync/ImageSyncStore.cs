using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace GlobalUpgrade.ImageSync;

/// <summary>
/// The local record of image sync runs: one JSON file per run (no secrets) and the local copy of its log, under
/// <c>runs/</c> in the session's state folder (<see cref="Session.StateFolder"/>). Files are replaced atomically.
/// </summary>
public sealed class ImageSyncStore : RunRecordStore<ImageSyncRun>
{
    public ImageSyncStore(string stateFolder)
        : base(stateFolder, "runs")
    {
    }

    protected override GlobalUpgradeException NotFound(string id) => new(ErrorIds.ImageSyncNotFound, FailureCategory.ObjectNotFound,
        $"No image sync run '{id}' is recorded in {RunsFolder}. Get-GlobalImageSync lists the known runs.", id);
}

/// <summary>What Start-GlobalUpgrade asks before it uses a package: did its image sync succeed for this cluster?</summary>
public static class ImageSyncLedger
{
    /// <summary>True when a recorded sync of <paramref name="packagePath"/> for <paramref name="cluster"/> succeeded.</summary>
    public static bool HasSucceeded(string cluster, string packagePath, ImageSyncStore store) =>
        LastSucceeded(cluster, packagePath, store) is not null;

    /// <summary>The newest successful sync of the package for the cluster (its PackageIdentity says which package it was).</summary>
    public static ImageSyncRun? LastSucceeded(string cluster, string packagePath, ImageSyncStore store) =>
        store.List().FirstOrDefault(r =>
            r.State == ImageSyncState.Succeeded
            && string.Equals(r.Cluster, cluster, StringComparison.OrdinalIgnoreCase)
            && string.Equals(NormalizePath(r.PackagePath), NormalizePath(packagePath), StringComparison.Ordinal));

    public static string NormalizePath(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
