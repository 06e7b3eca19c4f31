using GlobalUpgrade.Errors;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Snapshot;

/// <summary>
/// The snapshot file's shape (JSON), read back by the simulator's SnapshotSeeder:
/// <c>{ kind, formatVersion, takenAt, takenBy, clusters: [ { name, role, context, server, platformVersion,
/// kubernetesVersion, version, clusterVersionShadow: {group, version, plural}, discovery: { "&lt;group/version&gt;":
/// APIResourceList }, objects: [ ... ] } ] }</c>. Objects keep apiVersion and kind; secrets keep their keys with
/// empty values.
/// </summary>
public static class SnapshotFormat
{
    public const string Kind = "GlobalClusterSnapshot";

    public const int Version = 1;

    /// <summary>
    /// Refuses a snapshot whose formatVersion this module does not read (missing, or written by another version of
    /// the module), so no reader guesses at a shape it does not know.
    /// </summary>
    public static void RequireSupportedVersion(JToken? formatVersion, string path)
    {
        if (formatVersion is { Type: JTokenType.Integer } && (int)formatVersion == Version)
        {
            return;
        }

        var found = formatVersion is null or { Type: JTokenType.Null } ? "no formatVersion" : $"formatVersion {formatVersion.ToString(Newtonsoft.Json.Formatting.None)}";
        throw new GlobalUpgradeException(
            ErrorIds.SnapshotFormatUnsupported,
            FailureCategory.InvalidData,
            $"The snapshot '{path}' has {found}; this module reads formatVersion {Version} only. Take it again with this module's Export-GlobalClusterSnapshot.",
            path);
    }
}
