using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Controllers;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Scenarios;

/// <summary>
/// Seeds the simulated clusters from a snapshot written by Export-GlobalClusterSnapshot: its objects as they are,
/// kinds the simulator does not model served as stored (their group/version/plural from the snapshot's discovery
/// documents), and a list of <see cref="SnapshotFinding"/>s for what a rehearsal would otherwise have to invent.
/// </summary>
public sealed class SnapshotSeeder
{
    private const string SnapshotKind = "GlobalClusterSnapshot";

    private readonly Dictionary<string, JsonObject> entries;
    private readonly List<SnapshotFinding> findings = [];

    private SnapshotSeeder(Dictionary<string, JsonObject> entries, Dictionary<string, ClusterScenario> scenarios)
    {
        this.entries = entries;
        Scenarios = scenarios;
    }

    /// <summary>The simulated clusters' names: <c>primary</c>/<c>standby</c> for a DR pair, <c>global</c> for one cluster.</summary>
    public IReadOnlyList<string> ClusterNames => [.. entries.Keys];

    public IReadOnlyDictionary<string, ClusterScenario> Scenarios { get; }

    public bool IsDr => entries.ContainsKey("primary") && entries.ContainsKey("standby");

    /// <summary>What the snapshot lacks for a rehearsal, found while seeding.</summary>
    public IReadOnlyList<SnapshotFinding> Findings => findings;

    public static SnapshotSeeder Load(string path)
    {
        var doc = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        if (doc?.Str("kind") != SnapshotKind || doc["clusters"] is not JsonArray { Count: > 0 } clusters)
        {
            throw new InvalidDataException($"{path} is not a snapshot written by Export-GlobalClusterSnapshot (kind {SnapshotKind} with clusters)");
        }

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
        var standIns = new List<string>();
        var replaced = new List<string>();
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
                replaced.Add(obj.Name());
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
                Find(cluster, "KindNotServed", $"{kind} {obj.Name()} ({apiVersion}) is not in the snapshot's discovery documents; it is not served");
                continue;
            }

            if (type == ResourceTypes.Secrets && FillStandIns(obj))
            {
                standIns.Add($"{obj.Namespace()}/{obj.Name()}");
            }

            store.Upsert(type, obj);
        }

        if (replaced.Count > 0)
        {
            Find(cluster, "SynchronizerPodsReplaced", $"the synchronizer's pods {string.Join(", ", replaced)} are played by the simulator's own pod, which logs and takes the leader lease as the documented plugin does");
        }

        if (standIns.Count > 0)
        {
            Find(cluster, "SecretValuesStandIn", $"the snapshot holds secret keys, never values; the simulator serves generated stand-in values for {string.Join(", ", standIns)}");
        }

        CheckWhatARehearsalReads(cluster, entry);
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
    /// Findings that depend on where the rehearsal goes: the synchronizer plugin must be published for the target
    /// version (its ModuleConfig) on a DR pair's standby, or the runbook's reinstall step has nothing to install.
    /// </summary>
    public IReadOnlyList<SnapshotFinding> FindingsForTarget(string targetVersion)
    {
        var found = new List<SnapshotFinding>();
        if (!IsDr || !PlatformLine.For(targetVersion).PublishesAlignedPluginsWithCore)
        {
            return found;
        }

        var versions = Objects(entries["standby"], "ModuleConfig")
            .Where(c => c.Labels().GetValueOrDefault(Plugins.ModuleNameLabel) == EtcdSyncNames.ModuleName)
            .Select(c => c.Str("spec.version") ?? c.Labels().GetValueOrDefault("cpaas.io/module-version"))
            .OfType<string>()
            .ToList();
        if (!versions.Any(v => SameLine(v, targetVersion)))
        {
            // The platform publishes the plugins released with it when it reaches a version (Platform.SetVersion); the
            // simulator does that for a seeded cluster too, so the rehearsal re-installs a plugin the snapshot lacked.
            found.Add(new SnapshotFinding("standby", "PluginVersionMissingForTarget",
                $"no ModuleConfig of plugin {EtcdSyncNames.ModuleName} for {targetVersion} is in the snapshot (found: {(versions.Count == 0 ? "none" : string.Join(", ", versions))}). " +
                $"The rehearsal's platform publishes it with its own install form when it reaches {targetVersion}, as the core package does; after the real image sync, check that it is published (Test-GlobalUpgradeReadiness, ExtensionPublished) or push it with violet before the window"));
        }

        return found;
    }

    /// <summary>
    /// From 4.3 the synchronizer of the target is an Aligned plugin the core package does not bring [doc release-4.3
    /// PRE "Step 1: Download the Core Package"]: a snapshot has no ArtifactVersion (the export does not read them), so
    /// the rehearsal pushes it on the standby, as violet would, and says so; before the window it must really be pushed
    /// there (violet push --dest-repo &lt;standby VIP&gt;), or the runbook's Preflight stops.
    /// </summary>
    public IReadOnlyList<SnapshotFinding> PushTargetSynchronizer(IReadOnlyDictionary<string, SimCluster> clusters, string targetVersion)
    {
        if (!IsDr || PlatformLine.For(targetVersion).PublishesAlignedPluginsWithCore || !clusters.TryGetValue("standby", out var standby))
        {
            return [];
        }

        Platform.PushPlugin(standby.Store, EtcdSyncNames.ModuleName, targetVersion);
        return [new SnapshotFinding("standby", "TargetSynchronizerPushed",
            $"the rehearsal pushed plugin {EtcdSyncNames.ModuleName} {targetVersion} to the standby, as violet would. Before the window, push the {targetVersion} synchronizer package to the standby: violet push <package> --platform-address https://<standby platform address> --dest-repo <standby VIP>:11443 with the standby registry's credentials or --no-auth")];
    }

    /// <summary>
    /// A snapshot's Cluster Version Operator that does not offer the target yet: the rehearsal publishes the offer (as
    /// the target's ProductManifest does) so the runbook can go on, and says so; before the window, the real one must
    /// list it in status.availableUpdates or the module refuses the target [doc: release-4.3
    /// docs/en/ui/cli_tools/ac/upgrading-clusters.md].
    /// </summary>
    public IReadOnlyList<SnapshotFinding> OfferTarget(IReadOnlyDictionary<string, SimCluster> clusters, string targetVersion)
    {
        var found = new List<SnapshotFinding>();
        foreach (var (name, cluster) in clusters)
        {
            if (!PlatformLine.For(targetVersion).HasClusterVersionOperator || ClusterVersionShadowController.Offer(cluster.Store, targetVersion) is not { } before)
            {
                continue;
            }

            found.Add(new SnapshotFinding(name, "TargetNotOffered",
                $"its ClusterVersionShadow does not offer {ClusterVersionShadowController.Documented(targetVersion)} (status.availableUpdates: {(before.Count == 0 ? "none" : string.Join(", ", before))}); " +
                "the rehearsal's operator offers it, as the target's ProductManifest would. Before the window, check that 'ac adm upgrade' lists it (ac adm release import-manifest publishes it), or the upgrade is refused (TargetVersionNotOffered)"));
        }

        return found;
    }

    private void CheckWhatARehearsalReads(SimCluster cluster, JsonObject entry)
    {
        if (!Objects(entry, "ProductBase").Any(p => p.Name() == Platform.ProductBaseName && p.Str("status.version") is not null))
        {
            Find(cluster, "ProductBaseMissing", $"no ProductBase {Platform.ProductBaseName} with status.version: the platform version is unknown");
        }

        if (!Objects(entry, "Cluster").Any(c => c.Name() == "global"))
        {
            Find(cluster, "GlobalClusterMissing", "no clusters.platform.tkestack.io/global: the module will not treat it as a global cluster");
        }

        if (!Objects(entry, "Machine").Any())
        {
            Find(cluster, "NoMachines", "no Machines: node checks and the machine inventory have nothing to read");
        }

        foreach (var notServed in entry["notServed"] as JsonArray ?? [])
        {
            Find(cluster, "NotServedOnSource", $"{notServed} was not served by the source cluster");
        }

        foreach (var config in Objects(entry, "ModuleConfig").Where(c => c.Labels().GetValueOrDefault(Plugins.ModuleNameLabel) == EtcdSyncNames.ModuleName))
        {
            var version = config.Str("spec.version") ?? "";
            var labels = (config["spec"]?["deployDescriptors"] as JsonArray ?? []).OfType<JsonObject>().Select(d => d.Str("displayName")).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var missing = PlatformLine.For(version).Form.Select(f => f.DisplayName).Where(l => !labels.Contains(l)).ToList();
            if (missing.Count > 0)
            {
                Find(cluster, "FormLabelsNotFound",
                    $"the install form of {EtcdSyncNames.ModuleName} {version} (ModuleConfig {config.Name()}, spec.deployDescriptors) lacks the documented labels {string.Join(", ", missing.Select(l => $"'{l}'"))}: a re-install of a plugin with this form cannot fill them");
            }
        }
    }

    /// <summary>
    /// The ClusterVersionShadow served where the source served it (the snapshot's discovered group/version, even with
    /// no object of it yet), so the simulator's operator drives it there and the module's discovery finds it there.
    /// </summary>
    private void ServeClusterVersionShadowAsDiscovered(SimCluster cluster, JsonObject entry)
    {
        if (entry["clusterVersionShadow"] is not JsonObject cvsh || cvsh.Str("group") is not { } group || cvsh.Str("version") is not { } version)
        {
            return;
        }

        var modeled = ResourceTypes.ClusterVersionShadows;
        if ((group, version) != (modeled.Group, modeled.Version) && StoredType(cluster, entry, $"{group}/{version}", modeled.Kind) is null)
        {
            Find(cluster, "KindNotServed", $"the snapshot says {modeled.Kind} is served at {group}/{version}, but its discovery documents do not list it there; it is served at {modeled.ApiVersion}");
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
    private static bool FillStandIns(JsonObject secret)
    {
        if (secret["data"] is not JsonObject data || !data.Any(p => p.Value?.GetValue<string>() is null or ""))
        {
            return false;
        }

        foreach (var key in data.Select(p => p.Key).ToList())
        {
            if (data[key]?.GetValue<string>() is null or "")
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))));
            }
        }

        return true;
    }

    private static bool IsSynchronizerModuleInfo(JsonObject moduleInfo) => moduleInfo.Labels().GetValueOrDefault(Plugins.ModuleNameLabel) == EtcdSyncNames.ModuleName;

    private void Find(SimCluster cluster, string code, string message) => findings.Add(new SnapshotFinding(cluster.Name, code, message));

    private static IEnumerable<JsonObject> Objects(JsonObject entry, string kind) =>
        (entry["objects"] as JsonArray ?? []).OfType<JsonObject>().Where(o => o.Str("kind") == kind);

    private static bool SameLine(string a, string b)
    {
        static string Line(string v) => string.Join('.', v.TrimStart('v').Split('-', '+')[0].Split('.').Take(2));
        return Line(a) == Line(b);
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
