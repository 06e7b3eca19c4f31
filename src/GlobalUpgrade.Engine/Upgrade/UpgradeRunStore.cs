using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// The local record of Start-GlobalUpgrade runs: one JSON file per run (no secrets) and the local copy of the
/// trigger's log, under <c>upgrades/</c> in the session's state folder (<see cref="Session.StateFolder"/>). Files are
/// replaced atomically.
/// </summary>
public sealed class UpgradeRunStore : RunRecordStore<GlobalUpgradeRun>
{
    public UpgradeRunStore(string stateFolder)
        : base(stateFolder, "upgrades")
    {
    }

    public GlobalUpgradeRun? Latest(string cluster, string? toVersion = null) =>
        List().FirstOrDefault(r => string.Equals(r.Cluster, cluster, StringComparison.OrdinalIgnoreCase)
            && (toVersion is null || string.Equals(r.ToVersion, toVersion, StringComparison.OrdinalIgnoreCase)));

    protected override GlobalUpgradeException NotFound(string id) => new(ErrorIds.UpgradeRunNotFound, FailureCategory.ObjectNotFound,
        $"No upgrade run '{id}' is recorded in {RunsFolder}. Get-GlobalUpgradeStatus shows the last run of each connected cluster.", id);
}
