using System.Net;
using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Validation;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>What Invoke-GlobalDrUpgrade / Invoke-GlobalUpgrade run. Secrets live only here, never in the journal.</summary>
public sealed record RunbookRequest
{
    /// <summary>The primary (DR) or the standalone global cluster.</summary>
    public required ClusterConnection Primary { get; init; }

    /// <summary>The standby; null for a standalone global cluster.</summary>
    public ClusterConnection? Standby { get; init; }

    /// <summary>The extracted package on the primary's (or the standalone cluster's) node.</summary>
    public required string PackagePath { get; init; }

    /// <summary>The extracted package on the standby's node; default: the same path as on the primary's.</summary>
    public string? StandbyPackagePath { get; init; }

    public required string TargetVersion { get; init; }

    public RemoteTarget PrimaryTarget { get; init; } = RemoteTarget.Local;

    public RemoteTarget StandbyTarget { get; init; } = RemoteTarget.Local;

    public string? Registry { get; init; }

    public NetworkCredential? RegistryCredential { get; init; }

    /// <summary>The standby's registry (DR), when it is not the primary's; default: -Registry.</summary>
    public string? StandbyRegistry { get; init; }

    /// <summary>The standby registry's credential; default: -RegistryCredential when the registry is the same one.</summary>
    public NetworkCredential? StandbyRegistryCredential { get; init; }

    /// <summary>The image sync adds upgrade.sh --skip-check-artifacts (4.3+ targets only).</summary>
    public bool SkipCheckArtifacts { get; init; }

    /// <summary>
    /// The standby's Web Console will be used after the upgrade: from 4.3 the docs ask for its alternativeURLs entry
    /// only then. Not in the inputs.
    /// </summary>
    public bool StandbyWebConsole { get; init; }

    /// <summary>
    /// The operator's statement that the pair is consistent, where the platform documents no /check report (3.16, 3.18):
    /// it stands in for StandbyInSync in Preflight and before the synchronizer is removed, recorded in the journal and
    /// the report, never as a pass. Not in the inputs (it may be given on -Resume).
    /// </summary>
    public string? ConsistencyAttestation { get; init; }

    /// <summary>Readiness conditions (Check names) whose Failed result does not stop Preflight; recorded in the journal, not in the inputs (a waiver may be added on -Resume).</summary>
    public IReadOnlyList<string> SkipReadinessCheck { get; init; } = [];

    public EtcdSyncOptions EtcdSync { get; init; } = new();

    /// <summary>EtcdSync.Config as JSON (the cmdlet converts it; the engine has no PowerShell types).</summary>
    public IReadOnlyDictionary<string, JsonNode?>? EtcdSyncConfig { get; init; }

    /// <summary>
    /// The standby's VIP, which its ProductBase spec.alternativeURLs must hold [doc]; when not given, Preflight works it
    /// out once (<see cref="RunbookValues"/>) and later steps read it from the journal.
    /// </summary>
    public string? StandbyVip { get; init; }

    public TimeSpan VerifySyncTimeout { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromHours(3);

    /// <summary>Where the run folders live on each node; an input only when not the default (older journals resume).</summary>
    public string RunRoot { get; init; } = DetachedRun.DefaultRoot;

    public bool IsDr => Standby is not null;

    public string PackagePathOf(ClusterConnection cluster) => ReferenceEquals(cluster, Standby) ? StandbyPackagePath ?? PackagePath : PackagePath;

    /// <summary>The registry one cluster's images go to: the standby's own when given, else -Registry (null: the platform's).</summary>
    public string? RegistryOf(ClusterConnection cluster) => ReferenceEquals(cluster, Standby) && StandbyRegistry is not null ? StandbyRegistry : Registry;

    public NetworkCredential? RegistryCredentialOf(ClusterConnection cluster) =>
        ReferenceEquals(cluster, Standby) && StandbyRegistry is not null ? StandbyRegistryCredential : RegistryCredential;

    /// <summary>
    /// Refuses inputs that cannot work, before anything is asked of a cluster: the cmdlet calls it before it runs or
    /// plans, Preflight again (with each step's own checks) so the engine never drops an input silently.
    /// </summary>
    public void Validate()
    {
        _ = HostInput.RegistryWithCredential(Registry, RegistryCredential is not null, "-Registry", "-RegistryCredential");
        _ = HostInput.RegistryWithCredential(StandbyRegistry, StandbyRegistryCredential is not null, "-StandbyRegistry", "-StandbyRegistryCredential");
        if (SkipCheckArtifacts)
        {
            _ = UpgradeScriptFlags.Require(TargetVersion, UpgradeScriptFlags.SkipCheckArtifacts, "-SkipCheckArtifacts");
        }
    }

    /// <summary>The inputs that define the runbook (no secret): a resume with other inputs is refused.</summary>
    public JObject DescribeInputs()
    {
        var inputs = new JObject
        {
            ["targetVersion"] = TargetVersion,
            ["packagePath"] = PackagePath,
            ["primary"] = $"{Primary.Info.Context} ({Primary.Endpoint.Server})",
            ["primaryNode"] = PrimaryTarget.DisplayName,
        };
        if (Standby is not null)
        {
            inputs["standby"] = $"{Standby.Info.Context} ({Standby.Endpoint.Server})";
            inputs["standbyNode"] = StandbyTarget.DisplayName;
            inputs["standbyPackagePath"] = StandbyPackagePath ?? PackagePath;
            inputs["standbyVip"] = StandbyVip;
            inputs["activeClusterVip"] = EtcdSync.ActiveClusterVip;
        }

        if (Registry is not null)
        {
            inputs["registry"] = Registry;
            inputs["registryUser"] = RegistryCredential?.UserName;
        }

        if (StandbyRegistry is not null)
        {
            inputs["standbyRegistry"] = StandbyRegistry;
            inputs["standbyRegistryUser"] = StandbyRegistryCredential?.UserName;
        }

        if (RunRoot != DetachedRun.DefaultRoot)
        {
            inputs["runRoot"] = RunRoot;
        }

        return inputs;
    }
}
