using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Etcd;

namespace GlobalUpgrade.Commands.Etcd;

/// <summary>
/// Compares the keys of the primary's etcd with the standby's, reading both at once in pages at a fixed revision
/// each and merging the sorted streams; excluded keys (namespaces not synced, events, leases, …) are skipped.
/// </summary>
[Cmdlet(VerbsData.Compare, "EtcdKeyspace")]
[OutputType(typeof(EtcdKeyspaceDiff))]
public sealed class CompareEtcdKeyspaceCommand : GlobalUpgradeCmdlet
{
    // One per process: a later comparison of the same clusters cuts its requests where this one found the keys.
    private static readonly KeyspaceLayouts SessionLayouts = new();

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public Uri[] PrimaryEndpoint { get; set; } = [];

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public Uri[] StandbyEndpoint { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Prefix { get; set; } = EtcdKeyspaceRequest.DefaultPrefix;

    /// <summary>Replaces the default exclusion list: key prefixes ('/registry/events/') and 'namespace:&lt;name&gt;'.</summary>
    [Parameter]
    [AllowEmptyCollection]
    public string[]? Exclude { get; set; }

    /// <summary>Use the default exclusion list (on unless -ExcludeDefault:$false); ignored when -Exclude is given.</summary>
    [Parameter]
    public SwitchParameter ExcludeDefault { get; set; } = true;

    [Parameter]
    public SwitchParameter CompareValues { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? PrimaryCredential { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? StandbyCredential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PrimaryCertificatePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PrimaryKeyPath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PrimaryCaPath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyCertificatePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyKeyPath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StandbyCaPath { get; set; }

    /// <summary>Keys per range request (default 10000 keys only, 500 with -CompareValues).</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int PageSize { get; set; }

    /// <summary>The most keys listed per list; the counts always count every key.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int MaxKeys { get; set; } = EtcdKeyspaceRequest.DefaultMaxKeys;

    /// <summary>Seconds each etcd call (connect included) may take.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = (int)EtcdClientOptions.DefaultTimeout.TotalSeconds;

    protected override void EndProcessing()
    {
        var exclusions = Exclude ?? (ExcludeDefault.IsPresent ? EtcdExclusions.DefaultRules : []);
        var pageSize = PageSize > 0 ? PageSize : CompareValues ? EtcdKeyspaceRequest.DefaultValuePageSize : EtcdKeyspaceRequest.DefaultPageSize;
        var request = new EtcdKeyspaceRequest(
            Side("primary", PrimaryEndpoint, PrimaryCertificatePath, PrimaryKeyPath, PrimaryCaPath, PrimaryCredential),
            Side("standby", StandbyEndpoint, StandbyCertificatePath, StandbyKeyPath, StandbyCaPath, StandbyCredential),
            Prefix,
            exclusions,
            CompareValues,
            pageSize,
            MaxKeys)
        { Layouts = SessionLayouts };
        WriteObject(Run(ct => EtcdKeyspaceComparer.CompareAsync(request, ct)));
    }

    private EtcdClientOptions Side(string role, Uri[] endpoints, string? certificate, string? key, string? ca, PSCredential? credential) =>
        new(role, endpoints, ResolvePath(certificate), ResolvePath(key), ResolvePath(ca),
            credential?.UserName, credential?.GetNetworkCredential().Password, TimeSpan.FromSeconds(TimeoutSec));

    private string? ResolvePath(string? path) => path is null ? null : GetUnresolvedProviderPathFromPSPath(path);
}
