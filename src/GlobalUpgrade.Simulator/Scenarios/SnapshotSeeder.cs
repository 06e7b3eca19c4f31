using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Controllers;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Scenarios;

/// <summary>
/// Seeds the simulated clusters from a snapshot written by Export-GlobalClusterSnapshot: its objects as they are,
/// kinds the simulator does not model served as stored (their group/version/plural from the snapshot's discovery
/// documents). It judges nothing: what a snapshot lacks for a rehearsal is the engine's to say (its
/// Rehearsal/SnapshotFindings); an object of a kind it cannot serve is left out.
/// </summary>
public sealed class SnapshotSeeder
{
    private const string SnapshotKind = "GlobalClusterSnapshot";

    /// <summary>The one snapshot format read here: the engine's SnapshotFormat.Version, which the export writes.</summary>
    public const int FormatVersion = 1;

    private readonly Dictionary<string, JsonObject> entries;

    private SnapshotSeeder(Dictionary<string, JsonObject> entries, Dictionary<string, ClusterScenario> scenarios)
    {
        this.entries = entries;
        Scenarios = scenarios;
    }

    /// <summary>The simulated clusters' names: <c>primary</c>/<c>standby</c> for a DR pair, <c>global</c> for one cluster.</summary>
    public IReadOnlyList<string> ClusterNames => [.. entries.Keys];

    public IReadOnlyDictionary<string, ClusterScenario> Scenarios { get; }

    public bool IsDr => entries.ContainsKey("primary") && entries.ContainsKey("standby");

    public static SnapshotSeeder Load(string path)
    {
        var doc = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        if (doc?.Str("kind") != SnapshotKind || doc["clusters"] is not JsonArray { Count: > 0 } clusters)
        {
            throw new InvalidDataException($"{path} is not a snapshot written by Export-GlobalClusterSnapshot (kind {SnapshotKind} with clusters)");
        }

        RequireSupportedVersion(doc, path);

        var entries = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var entry in clusters.OfType<JsonObject>())
        {
            var name = SimName(entry.Str("role"), clusters.Count);
            if (!entries.TryAdd(name, entry))
            {
                throw new InvalidDataException($"{path} holds two clusters with role {entry.Str("role")}; a snapshot holds one cluster or one DR pair");
            }
        }

        if (entries.Count == 2 && !(entries.ContainsKey("primary") && entries.ContainsKey("standby")))
        {
            throw new InvalidDataException($"{path} holds two clusters that are not a Primary and a Standby");
        }

        return new SnapshotSeeder(entries, entries.ToDictionary(e => e.Key, e => ScenarioOf(e.Value)));
    }

    /// <summary>Writes the snapshot's objects of <paramref name="cluster"/> into its store.</summary>
    public void Seed(SimCluster cluster)
    {
        var entry = entries[cluster.Name];
        var store = cluster.Store;
        var objects = entry["objects"] is JsonArray array ? array.OfType<JsonObject>().ToList() : [];
        foreach (var ns in ScenarioSeeder.PlatformNamespaces.Concat(objects.Select(o => o.Namespace()).OfType<string>()).Distinct())
        {
            store.Upsert(ResourceTypes.Namespaces, ScenarioSeeder.Namespace(ns));
        }

        ServeClusterVersionShadowAsDiscovered(cluster, entry);
        var synchronizerDriven = Objects(entry, "ModuleInfo").Any(IsSynchronizerModuleInfo);
        foreach (var source in objects)
        {
            var obj = (JsonObject)source.DeepClone();
            obj.Metadata().Remove("resourceVersion");
            var apiVersion = obj.Str("apiVersion") ?? "";
            var kind = obj.Str("kind") ?? "";
            if (synchronizerDriven && kind == "Pod" && obj.Labels().GetValueOrDefault(EtcdSyncNames.PodLabelKey) == EtcdSyncNames.PodLabelValue)
            {
                // The simulator's plugin manager plays the installed synchronizer: it starts its own pod (logs, leader lease).
                continue;
            }

            if (kind == "ModuleInfo")
            {
                // Nothing in the simulator removes the platform's finalizers; its plugin manager adds its own when it adopts the object.
                obj.Metadata().Remove("finalizers");
            }
            var type = ResourceTypes.FindByKind(apiVersion, kind) ?? StoredType(cluster, entry, apiVersion, kind);
            if (type is null)
            {
                // Not in the snapshot's discovery documents: left out, as an API server serves no kind it does not list.
                continue;
            }

            if (type == ResourceTypes.Secrets)
            {
                FillStandIns(obj);
            }

            store.Upsert(type, obj);
        }
    }

    /// <summary>
    /// Links a DR pair as the synchronizer needs: the standby's copy of the primary's token holds the same stand-in
    /// value as the primary's source secret (both values were left out of the snapshot).
    /// </summary>
    public void Link(IReadOnlyDictionary<string, SimCluster> clusters)
    {
        if (!IsDr)
        {
            return;
        }

        var token = clusters["primary"].Store.Get(ResourceTypes.Secrets, EtcdSyncNames.Namespace, EtcdSyncNames.TokenSourceSecret)?.Str("data.token");
        var standby = clusters["standby"].Store;
        if (token is not null && standby.Get(ResourceTypes.Secrets, EtcdSyncNames.Namespace, EtcdSyncNames.ActiveClusterTokenSecret) is { } copy
            && copy["data"] is JsonObject data && data.ContainsKey("token"))
        {
            data["token"] = token;
            standby.Upsert(ResourceTypes.Secrets, copy);
        }
    }

    /// <summary>
    /// The ClusterVersionShadow served where the source served it (the snapshot's discovered group/version, even with
    /// no object of it yet), so the simulator's operator drives it there and the module's discovery finds it there.
    /// </summary>
    private static void ServeClusterVersionShadowAsDiscovered(SimCluster cluster, JsonObject entry)
    {
        if (entry["clusterVersionShadow"] is not JsonObject cvsh || cvsh.Str("group") is not { } group || cvsh.Str("version") is not { } version)
        {
            return;
        }

        // Not in its discovery documents there: served at the simulator's own group/version.
        var modeled = ResourceTypes.ClusterVersionShadows;
        if ((group, version) != (modeled.Group, modeled.Version))
        {
            _ = StoredType(cluster, entry, $"{group}/{version}", modeled.Kind);
        }
    }

    /// <summary>A kind the simulator does not model: served as stored, at the group/version/plural the source served it.</summary>
    private static ResourceType? StoredType(SimCluster cluster, JsonObject entry, string apiVersion, string kind)
    {
        var existing = cluster.Store.ExtraTypes.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);
        if (existing is not null)
        {
            return existing;
        }

        var list = entry["discovery"]?["resources"]?[apiVersion] as JsonObject;
        var resources = list?["resources"] as JsonArray ?? [];
        var resource = resources.OfType<JsonObject>().FirstOrDefault(r => r.Str("kind") == kind && !(r.Str("name") ?? "/").Contains('/'));
        if (resource is null)
        {
            return null;
        }

        var plural = resource.Str("name")!;
        var slash = apiVersion.IndexOf('/');
        var type = new ResourceType(
            slash < 0 ? "" : apiVersion[..slash],
            slash < 0 ? apiVersion : apiVersion[(slash + 1)..],
            plural,
            kind,
            resource["namespaced"]?.GetValue<bool>() ?? false,
            resource.Str("singularName") is { Length: > 0 } singular ? singular : kind.ToLowerInvariant(),
            (resource["shortNames"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().ToArray(),
            HasStatus: resources.OfType<JsonObject>().Any(r => r.Str("name") == plural + "/status"));
        cluster.Store.RegisterType(type);
        return type;
    }

    // Secret values never leave the source cluster; the simulator needs some value for the keys it reads.
    private static void FillStandIns(JsonObject secret)
    {
        if (secret["data"] is not JsonObject data)
        {
            return;
        }

        foreach (var key in data.Select(p => p.Key).ToList())
        {
            if (data[key]?.GetValue<string>() is null or "")
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))));
            }
        }
    }

    private static bool IsSynchronizerModuleInfo(JsonObject moduleInfo) => moduleInfo.Labels().GetValueOrDefault(Plugins.ModuleNameLabel) == EtcdSyncNames.ModuleName;

    private static IEnumerable<JsonObject> Objects(JsonObject entry, string kind) =>
        (entry["objects"] as JsonArray ?? []).OfType<JsonObject>().Where(o => o.Str("kind") == kind);

    /// <summary>
    /// Refuses a snapshot whose formatVersion is missing or not <see cref="FormatVersion"/>, as the engine's
    /// SnapshotFormat.RequireSupportedVersion does: no reader guesses at a shape it does not know.
    /// </summary>
    private static void RequireSupportedVersion(JsonObject doc, string path)
    {
        var node = doc["formatVersion"];
        if (node is JsonValue value && value.TryGetValue<int>(out var version) && version == FormatVersion)
        {
            return;
        }

        var found = node is null ? "no formatVersion" : $"formatVersion {node.ToJsonString()}";
        throw new InvalidDataException($"The snapshot '{path}' has {found}; this simulator reads formatVersion {FormatVersion} only. Take it again with Export-GlobalClusterSnapshot.");
    }

    private static string SimName(string? role, int count) => role switch
    {
        "Primary" when count > 1 => "primary",
        "Standby" => "standby",
        _ when count == 1 => "global",
        _ => throw new InvalidDataException($"a DR snapshot's clusters must have role Primary or Standby, not '{role}'"),
    };

    // What the controllers read of a scenario, taken from the snapshot's own objects.
    private static ClusterScenario ScenarioOf(JsonObject entry)
    {
        var productBase = Objects(entry, "ProductBase").FirstOrDefault(p => p.Name() == Platform.ProductBaseName);
        var url = productBase?.Str("spec.platformURL");
        var etcdSyncInstalled = Objects(entry, "ModuleInfo").Any(IsSynchronizerModuleInfo);
        return new ClusterScenario
        {
            PlatformVersion = entry.Str("platformVersion") ?? productBase?.Str("status.version") ?? "",
            KubernetesVersion = entry.Str("version.gitVersion") ?? entry.Str("kubernetesVersion") ?? "",
            Vip = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Host : "",
            IsGlobal = Objects(entry, "Cluster").Any(c => c.Name() == "global"),
            Machines = Objects(entry, "Machine").Select(m => new MachineScenario
            {
                Name = m.Name(),
                Ip = m.Str("spec.ip") ?? "",
                Role = m.Str("spec.role") ?? "",
                ClusterName = m.Str("spec.clusterName") ?? "",
                Phase = m.Str("status.phase") ?? "",
            }).ToList(),
            EtcdSync = new EtcdSyncScenario { Variant = etcdSyncInstalled ? EtcdSyncVariants.Plugin : EtcdSyncVariants.None },
        };
    }
}
