using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Snapshot;

/// <summary>
/// Reads, never writes, every object the module reads or waits on from each connected cluster and writes them,
/// scrubbed (<see cref="SnapshotScrubber"/>), into one file (<see cref="SnapshotFormat"/>) that the simulator can be
/// seeded from for a rehearsal.
/// </summary>
public static class SnapshotExporter
{
    /// <summary>The platform's custom resources, as the module's own definitions name them (the CVSH is discovered).</summary>
    public static readonly IReadOnlyList<AcpResource> PlatformResources =
    [
        AcpResources.ProductBases, AcpResources.Clusters, AcpResources.Machines, AcpResources.ClusterModules,
        AcpResources.ModuleInfos, AcpResources.ModulePlugins, AcpResources.ModuleConfigs,
    ];

    /// <summary>The synchronizer's runtime kinds in its namespace, with the apiVersion/kind list items lack.</summary>
    private static readonly (KubeKind Kind, string ApiVersion, string KindName)[] RuntimeKinds =
    [
        (KubeKind.Pods, "v1", "Pod"), (KubeKind.Services, "v1", "Service"), (KubeKind.Secrets, "v1", "Secret"),
        (KubeKind.Jobs, "batch/v1", "Job"), (KubeKind.Deployments, "apps/v1", "Deployment"), (KubeKind.Leases, "coordination.k8s.io/v1", "Lease"),
    ];

    public static async Task<GlobalClusterSnapshot> ExportAsync(IReadOnlyList<ClusterConnection> clusters, string path, EtcdSyncProfile etcdSync, CancellationToken cancellationToken)
    {
        var takenAt = DateTimeOffset.UtcNow;
        var entries = new JsonArray();
        var objectCount = 0;
        foreach (var cluster in clusters)
        {
            var entry = await ReadClusterAsync(cluster, etcdSync, cancellationToken).ConfigureAwait(false);
            objectCount += entry["objects"]!.AsArray().Count;
            entries.Add(entry);
        }

        var document = new JsonObject
        {
            ["kind"] = SnapshotFormat.Kind,
            ["formatVersion"] = SnapshotFormat.Version,
            ["takenAt"] = takenAt.ToString("O"),
            ["takenBy"] = $"GlobalUpgrade {typeof(SnapshotExporter).Assembly.GetName().Version}",
            ["clusters"] = entries,
        };
        // Compact: indenting doubles the size; ConvertFrom-Json or jq shows it to a reviewer.
        var size = Write(path, document.ToJsonString());
        OperationLog.Current.Verbose($"wrote {objectCount} objects of {clusters.Count} cluster(s) to {path} ({size} bytes)");
        return new GlobalClusterSnapshot
        {
            Path = path,
            Clusters = clusters.Select(c => c.Name).ToList(),
            ObjectCount = objectCount,
            SizeBytes = size,
            TakenAt = takenAt,
        };
    }

    private static async Task<JsonObject> ReadClusterAsync(ClusterConnection cluster, EtcdSyncProfile etcdSync, CancellationToken ct)
    {
        var log = OperationLog.Current;
        log.Verbose($"[{cluster.Name}] reading discovery from {cluster.Endpoint.Server}");
        var groupList = await DiscoveryReader.GetAsync(cluster, "apis", ct).ConfigureAwait(false) ?? new JsonObject();
        var cvshResource = await ClusterVersionShadowDiscovery.FindAsync(cluster, ct).ConfigureAwait(false);

        var custom = cvshResource is null ? PlatformResources : [.. PlatformResources, cvshResource];
        var discovery = await ReadDiscoveryAsync(cluster, groupList, custom, ct).ConfigureAwait(false);
        var objects = new JsonArray();
        var notServed = new JsonArray();
        foreach (var resource in custom)
        {
            var served = ServedVersion(discovery, resource);
            if (served is null)
            {
                notServed.Add(resource.ToString());
                continue;
            }

            var items = await cluster.ListAsync(resource with { Version = served }, null, null, ct).ConfigureAwait(false);
            log.Verbose($"[{cluster.Name}] {items.Count} {resource}");
            foreach (var item in items)
            {
                item["apiVersion"] ??= $"{resource.Group}/{served}";
                objects.Add(SnapshotScrubber.Scrub(item));
            }
        }

        foreach (var (kind, apiVersion, kindName) in RuntimeKinds)
        {
            foreach (var item in await ListAllAsync(cluster, kind, etcdSync.Namespace, ct).ConfigureAwait(false))
            {
                if (IsSynchronizerObject(item, etcdSync))
                {
                    item["apiVersion"] = apiVersion;
                    item["kind"] = kindName;
                    objects.Add(SnapshotScrubber.Scrub(item));
                }
            }
        }

        var info = cluster.Info;
        return new JsonObject
        {
            ["name"] = info.Name,
            ["role"] = info.Role.ToString(),
            ["context"] = info.Context,
            // The server's address only: a URL can carry user info, and a snapshot never holds credentials.
            ["server"] = new UriBuilder(cluster.Endpoint.Server) { UserName = "", Password = "" }.Uri.ToString(),
            ["platformVersion"] = info.PlatformVersion,
            ["kubernetesVersion"] = info.KubernetesVersion,
            ["version"] = await DiscoveryReader.GetAsync(cluster, "version", ct).ConfigureAwait(false),
            ["clusterVersionShadow"] = cvshResource is null ? null : new JsonObject
            {
                ["group"] = cvshResource.Group,
                ["version"] = cvshResource.Version,
                ["plural"] = cvshResource.Plural,
            },
            ["notServed"] = notServed,
            ["discovery"] = discovery,
            ["objects"] = objects,
        };
    }

    /// <summary>
    /// The discovery documents of the groups involved: each group's APIGroup entry (<c>groups</c>) and the
    /// APIResourceList of each of its versions, keyed by group/version (<c>v1</c> for the core group).
    /// </summary>
    private static async Task<JsonObject> ReadDiscoveryAsync(ClusterConnection cluster, JsonObject groupList, IReadOnlyList<AcpResource> custom, CancellationToken ct)
    {
        var involved = custom.Select(r => r.Group).Concat(["batch", "apps", "coordination.k8s.io"]).ToHashSet(StringComparer.Ordinal);
        var groups = new JsonArray();
        var resources = new JsonObject();
        foreach (var group in ApiGroup.ListOf(groupList).Where(g => involved.Contains(g.Name)))
        {
            groups.Add(group.Source.DeepClone());
            foreach (var groupVersion in group.Versions.Select(v => v.GroupVersion).Where(v => v.Length > 0))
            {
                resources[groupVersion] = await DiscoveryReader.GetAsync(cluster, $"apis/{groupVersion}", ct).ConfigureAwait(false);
            }
        }

        resources["v1"] = await DiscoveryReader.GetAsync(cluster, "api/v1", ct).ConfigureAwait(false);
        return new JsonObject { ["groups"] = groups, ["resources"] = resources };
    }

    /// <summary>The version to read <paramref name="resource"/> at: the module's own when served, else the group's preferred one that serves it.</summary>
    private static string? ServedVersion(JsonObject discovery, AcpResource resource)
    {
        bool Serves(string version) => ApiResourceList.From(discovery["resources"]?[$"{resource.Group}/{version}"]).Serves(resource.Plural);
        if (Serves(resource.Version))
        {
            return resource.Version;
        }

        var group = ApiGroup.ListOf(discovery).FirstOrDefault(g => g.Name == resource.Group);
        return group?.Versions.Select(v => v.Version).Where(v => v.Length > 0).FirstOrDefault(Serves);
    }

    // The synchronizer's objects: labelled as its pods are, named as the profile names them, or named after its module.
    private static bool IsSynchronizerObject(JsonObject item, EtcdSyncProfile p)
    {
        var meta = ObjectMeta.Of(item);
        var name = meta.Name;
        var labels = meta.Labels;
        var selector = p.PodLabelSelector.Split(',').Select(s => s.Split('=', 2)).Where(kv => kv.Length == 2);
        return selector.All(kv => labels.GetValueOrDefault(kv[0].Trim()) == kv[1].Trim())
            || name == p.MonitorService || name == p.LeaderLease || name == p.ActiveClusterTokenSecret || name == p.TokenSourceSecret
            || name == p.BootstrapJob || name.StartsWith(p.ModuleName, StringComparison.Ordinal);
    }

    private static Task<List<JsonObject>> ListAllAsync(ClusterConnection cluster, KubeKind kind, string ns, CancellationToken ct) =>
        cluster.CallAsync($"listing {kind} in {ns}", async (client, token) =>
        {
            // Bounded paging, as every list the module reads (ListPager).
            var (list, _) = await ResourceWatcher.ListAllAsync(client, kind, new ListArgs(ns, null, null), token, cluster.Endpoint).ConfigureAwait(false);
            return ObjectList.ItemsOf(list).Select(o => (JsonObject)o.DeepClone()).ToList();
        }, ct);

    // Written beside the target and moved over it, so a failed export never leaves half a file.
    private static long Write(string path, string json)
    {
        try
        {
            var full = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var temp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            File.WriteAllText(temp, json);
            File.Move(temp, full, overwrite: true);
            return new FileInfo(full).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new GlobalUpgradeException(
                ErrorIds.SnapshotPathInvalid,
                FailureCategory.InvalidArgument,
                $"Cannot write the snapshot to '{path}': {ex.Message} Give a path in a writable folder.",
                path,
                ex);
        }
    }
}
