using System.Collections;
using System.Management.Automation;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Runbook;

namespace GlobalUpgrade.Commands.Runbook;

/// <summary>
/// The global DR upgrade as a resumable runbook over the connected primary and standby: pre-flight, image sync on
/// both (in parallel), remove the synchronizer, upgrade the standby, then the primary, re-install and verify the
/// synchronizer, post-checks. One RunbookStep per step, streamed as it finishes; a journal to resume from.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "GlobalDrUpgrade", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RunbookStep), typeof(GlobalUpgradePlan))]
public sealed class InvokeGlobalDrUpgradeCommand : RunbookCmdlet
{
    /// <summary>The primary's control-plane node; omit to run on this machine.</summary>
    [Parameter]
    [Alias("PrimaryComputerName")]
    [ValidateNotNullOrEmpty]
    public override string? ComputerName { get; set; }

    /// <summary>The standby's control-plane node; omit to run on this machine.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyComputerName { get; set; }

    /// <summary>The extracted package on the standby's node, when it is not at -PackagePath there.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyPackagePath { get; set; }

    /// <summary>Install-EtcdSync's parameters for the re-install: ActiveClusterVip (required), ActiveEtcdEndpoint, StandbyEtcdEndpoint, DataCheckInterval, Version, ModuleName, Config, SkipEndpointCheck.</summary>
    [Parameter]
    public Hashtable? EtcdSync { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyVip { get; set; }

    [Parameter]
    [ValidateRange(10, 86400)]
    public int VerifySyncTimeoutSec { get; set; } = 900;

    protected override RunbookRequest BuildRequest()
    {
        var primary = Require(() => Connections.ByRole(ClusterRole.Primary));
        var standby = Require(() => Connections.ByRole(ClusterRole.Standby));
        return new RunbookRequest
        {
            Primary = primary,
            Standby = standby,
            PackagePath = PackagePath,
            StandbyPackagePath = StandbyPackagePath,
            TargetVersion = TargetVersion,
            PrimaryTarget = BuildTarget(ComputerName),
            StandbyTarget = BuildTarget(StandbyComputerName),
            Registry = Registry,
            RegistryCredential = RegistryCredential?.GetNetworkCredential(),
            EtcdSync = ReadEtcdSync(),
            StandbyVip = StandbyVip,
            VerifySyncTimeout = TimeSpan.FromSeconds(VerifySyncTimeoutSec),
            StepTimeout = TimeSpan.FromSeconds(StepTimeoutSec),
        };
    }

    private EtcdSyncOptions ReadEtcdSync()
    {
        var table = EtcdSync ?? new Hashtable();
        var known = new[] { "ActiveClusterVip", "ActiveEtcdEndpoint", "StandbyEtcdEndpoint", "DataCheckInterval", "Version", "ModuleName", "Config", "SkipEndpointCheck" };
        foreach (var key in table.Keys.Cast<object>().Select(k => k.ToString()!))
        {
            if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                ThrowFailure(ErrorIds.EtcdSyncOptionsMissing, FailureCategory.InvalidArgument, $"-EtcdSync has an unknown key '{key}'. Known: {string.Join(", ", known)}.", key);
            }
        }

        object? Get(string key) => table.Cast<DictionaryEntry>().FirstOrDefault(e => string.Equals(e.Key.ToString(), key, StringComparison.OrdinalIgnoreCase)).Value is PSObject p ? p.BaseObject : table.Cast<DictionaryEntry>().FirstOrDefault(e => string.Equals(e.Key.ToString(), key, StringComparison.OrdinalIgnoreCase)).Value;
        IReadOnlyList<Uri>? Uris(string key) => Get(key) switch
        {
            null => null,
            IEnumerable many and not string => many.Cast<object>().Select(o => new Uri(o.ToString()!)).ToList(),
            var one => [new Uri(one.ToString()!)],
        };
        return new EtcdSyncOptions
        {
            ActiveClusterVip = Get("ActiveClusterVip")?.ToString(),
            ActiveEtcdEndpoints = Uris("ActiveEtcdEndpoint"),
            StandbyEtcdEndpoints = Uris("StandbyEtcdEndpoint"),
            DataCheckInterval = Get("DataCheckInterval") is { } interval ? Convert.ToInt32(interval, System.Globalization.CultureInfo.InvariantCulture) : null,
            Version = Get("Version")?.ToString(),
            ModuleName = Get("ModuleName")?.ToString(),
            Config = ToConfig(Get("Config")),
            SkipEndpointCheck = Get("SkipEndpointCheck") is { } skip && LanguagePrimitives.IsTrue(skip),
        };
    }
}
