using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Rehearsal;

/// <summary>
/// What a snapshot lacks for a rehearsal, or holds in a form the simulator cannot drive, judged here from the file
/// itself (the simulator only seeds its objects and serves them), and what the rehearsal therefore asks the simulator
/// to do before the runbook runs (<see cref="Acts"/>). Each finding's code is stable: tests, reports and
/// docs/rehearsal.md match on it.
/// </summary>
public static class SnapshotFindings
{
    public const string Source = "Snapshot";

    private const string ClusterVersionShadowKind = "ClusterVersionShadow";

    private static readonly ComponentUpgradeProfile Components = new();

    // The synchronizer's pods by the label the docs select them with.
    private static readonly (string Key, string Value)[] SynchronizerPodLabels =
        [.. new EtcdSyncProfile().PodLabelSelector.Split(',').Select(s => s.Split('=', 2)).Where(kv => kv.Length == 2).Select(kv => (kv[0].Trim(), kv[1].Trim()))];

    /// <summary>
    /// The kinds Export-GlobalClusterSnapshot writes because the module reads them (<c>apiVersion kind</c>): the
    /// rehearsal's simulator plays each. Any other kind is served only where the snapshot's discovery documents list it.
    /// </summary>
    private static readonly HashSet<string> ModuleKinds = new(StringComparer.Ordinal)
    {
        Key(AcpResources.ProductBases, "ProductBase"), Key(AcpResources.Clusters, "Cluster"), Key(AcpResources.Machines, "Machine"),
        Key(AcpResources.ClusterModules, "ClusterModule"), Key(AcpResources.ModuleInfos, "ModuleInfo"), Key(AcpResources.ModulePlugins, "ModulePlugin"),
        Key(AcpResources.ModuleConfigs, "ModuleConfig"), Key(AcpResources.ClusterVersionShadows, ClusterVersionShadowKind),
        "v1 Pod", "v1 Service", "v1 Secret", "batch/v1 Job", "apps/v1 Deployment", "coordination.k8s.io/v1 Lease",
    };

    /// <summary>Every finding, cluster by cluster as the file holds them, then those that depend on <paramref name="targetVersion"/>.</summary>
    public static IReadOnlyList<RehearsalFinding> Of(RehearsalSnapshot snapshot, string targetVersion)
    {
        var target = PlatformVersion.Parse(targetVersion);
        var found = new List<RehearsalFinding>();
        foreach (var (cluster, entry) in snapshot.Entries)
        {
            found.AddRange(WhatTheSimulatorCannotServe(entry).Concat(WhatARehearsalReads(entry)).Select(f => Finding(cluster, f.Code, f.Message)));
        }

        found.AddRange(PluginVersionMissingForTarget(snapshot, target));
        found.AddRange(Acts(snapshot, targetVersion).Select(a => ActFinding(a, snapshot, target)));
        return found;
    }

    /// <summary>
    /// What the rehearsal asks the simulator to do once it is ready, each reported by <see cref="Of"/>: on a 4.3+ target
    /// (<see cref="PlatformLine.RequiresEveryPluginPublished"/>) the standby's synchronizer is an Aligned plugin the core
    /// package does not bring [doc release-4.3 PRE "Step 1: Download the Core Package"], and the snapshot holds no
    /// ArtifactVersion (the export does not read them), so it is pushed there as violet would; and a Cluster Version
    /// Operator that does not offer the target is made to offer it, as the target's ProductManifest would [doc
    /// release-4.3 CLI "Before You Start"].
    /// </summary>
    public static IReadOnlyList<SimulatorAct> Acts(RehearsalSnapshot snapshot, string targetVersion)
    {
        var target = PlatformVersion.Parse(targetVersion);
        var line = PlatformLine.For(target);
        var acts = new List<SimulatorAct>();
        if (snapshot.IsDr && line.RequiresEveryPluginPublished)
        {
            acts.Add(SimulatorAct.PushPlugin("standby", SynchronizerModule(line), targetVersion));
        }

        if (line.HasClusterVersionOperator)
        {
            acts.AddRange(snapshot.Entries
                .Where(e => OfferedBy(e.Entry) is { } offered && !offered.Contains(Documented(targetVersion), StringComparer.Ordinal))
                .Select(e => SimulatorAct.OfferTarget(e.Context, targetVersion)));
        }

        return acts;
    }

    /// <summary>Objects the simulator leaves out or plays itself, and secret values it must invent.</summary>
    private static IEnumerable<(string Code, string Message)> WhatTheSimulatorCannotServe(JObject entry)
    {
        if (Text(entry, "clusterVersionShadow", "group") is { } group && Text(entry, "clusterVersionShadow", "version") is { } version)
        {
            var modeled = AcpResources.ClusterVersionShadows;
            if ((group, version) != (modeled.Group, modeled.Version) && !Discovered(entry, $"{group}/{version}", ClusterVersionShadowKind))
            {
                yield return ("KindNotServed", $"the snapshot says {ClusterVersionShadowKind} is served at {group}/{version}, but its discovery documents do not list it there; it is served at {modeled.ApiVersion}");
            }
        }

        var synchronizerDriven = Objects(entry, "ModuleInfo").Any(IsSynchronizer);
        var replaced = new List<string>();
        var standIns = new List<string>();
        foreach (var obj in (At(entry, "objects") as JArray ?? []).OfType<JObject>())
        {
            var apiVersion = Text(obj, "apiVersion") ?? "";
            var kind = Text(obj, "kind") ?? "";
            if (synchronizerDriven && kind == "Pod" && IsSynchronizerPod(obj))
            {
                replaced.Add(Name(obj));
            }
            else if (!ModuleKinds.Contains($"{apiVersion} {kind}") && !Discovered(entry, apiVersion, kind))
            {
                yield return ("KindNotServed", $"{kind} {Name(obj)} ({apiVersion}) is not in the snapshot's discovery documents; it is not served");
            }
            else if (kind == "Secret" && At(obj, "data") is JObject data && data.Properties().Any(p => p.Value is not JValue { Type: JTokenType.String } v || string.IsNullOrEmpty((string?)v)))
            {
                standIns.Add($"{Text(obj, "metadata", "namespace")}/{Name(obj)}");
            }
        }

        if (replaced.Count > 0)
        {
            yield return ("SynchronizerPodsReplaced", $"the synchronizer's pods {string.Join(", ", replaced)} are played by the simulator's own pod, which logs and takes the leader lease as the documented plugin does");
        }

        if (standIns.Count > 0)
        {
            yield return ("SecretValuesStandIn", $"the snapshot holds secret keys, never values; the simulator serves generated stand-in values for {string.Join(", ", standIns)}");
        }
    }

    /// <summary>What the module reads on every cluster and the snapshot does not hold.</summary>
    private static IEnumerable<(string Code, string Message)> WhatARehearsalReads(JObject entry)
    {
        if (!Objects(entry, "ProductBase").Any(p => Name(p) == AcpResources.ProductBaseName && Text(p, "status", "version") is not null))
        {
            yield return ("ProductBaseMissing", $"no ProductBase {AcpResources.ProductBaseName} with status.version: the platform version is unknown");
        }

        if (!Objects(entry, "Cluster").Any(c => Name(c) == AcpResources.GlobalClusterName))
        {
            yield return ("GlobalClusterMissing", "no clusters.platform.tkestack.io/global: the module will not treat it as a global cluster");
        }

        if (!Objects(entry, "Machine").Any())
        {
            yield return ("NoMachines", "no Machines: node checks and the machine inventory have nothing to read");
        }

        foreach (var notServed in At(entry, "notServed") as JArray ?? [])
        {
            yield return ("NotServedOnSource", $"{notServed} was not served by the source cluster");
        }

        foreach (var config in Objects(entry, "ModuleConfig").Where(IsSynchronizer))
        {
            var version = Text(config, "spec", "version") ?? "";
            var labels = (At(config, "spec", "deployDescriptors") as JArray ?? []).OfType<JObject>().Select(d => Text(d, "displayName")).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var documented = PlatformLine.Of(version)?.EtcdSync.Form.Select(EtcdSyncFormFields.Label) ?? [];
            var missing = documented.Where(l => !labels.Contains(l)).ToList();
            if (missing.Count > 0)
            {
                yield return ("FormLabelsNotFound",
                    $"the install form of {EtcdSyncLine.PluginModuleName} {version} (ModuleConfig {Name(config)}, spec.deployDescriptors) lacks the documented labels {string.Join(", ", missing.Select(l => $"'{l}'"))}: a re-install of a plugin with this form cannot fill them");
            }
        }
    }

    /// <summary>
    /// Before 4.3 the core package may bring the target's synchronizer (<see cref="PlatformLine.RequiresEveryPluginPublished"/>
    /// is false), and the rehearsal's platform publishes it when it reaches the target: said when the standby's
    /// snapshot holds no ModuleConfig of the target's line, since the real one may not.
    /// </summary>
    private static IEnumerable<RehearsalFinding> PluginVersionMissingForTarget(RehearsalSnapshot snapshot, PlatformVersion target)
    {
        var line = PlatformLine.For(target);
        if (!snapshot.IsDr || line.RequiresEveryPluginPublished)
        {
            yield break;
        }

        var module = SynchronizerModule(line);
        var standby = snapshot.Entries.First(e => e.Context == "standby").Entry;
        var versions = Objects(standby, "ModuleConfig").Where(IsSynchronizer)
            .Select(c => Text(c, "spec", "version") ?? Label(c, AcpLabels.ModuleVersion))
            .OfType<string>()
            .ToList();
        if (!versions.Any(v => PlatformVersion.TryParse(v, out var found) && found.Line == target.Line))
        {
            yield return Finding("standby", "PluginVersionMissingForTarget",
                $"no ModuleConfig of plugin {module} for {target.Text} is in the snapshot (found: {(versions.Count == 0 ? "none" : string.Join(", ", versions))}). " +
                $"The rehearsal's platform publishes it with its own install form when it reaches {target.Text}, as the core package does; after the real image sync, check that it is published (Test-GlobalUpgradeReadiness, ExtensionPublished) or push it with violet before the window");
        }
    }

    private static RehearsalFinding ActFinding(SimulatorAct act, RehearsalSnapshot snapshot, PlatformVersion target) => act.Path switch
    {
        "/_sim/push-plugin" => Finding(act.Cluster, "TargetSynchronizerPushed",
            $"the rehearsal pushed plugin {act.Body["module"]} {target.Text} to the standby, as violet would. Before the window, push the {target.Text} synchronizer package to the standby: violet push <package> --platform-address https://<standby platform address> --dest-repo <standby VIP>:11443 with the standby registry's credentials or --no-auth"),
        _ => Finding(act.Cluster, "TargetNotOffered",
            $"its ClusterVersionShadow does not offer {Documented(target.Text)} (status.availableUpdates: {Offered(snapshot, act.Cluster)}); " +
            "the rehearsal's operator offers it, as the target's ProductManifest would. Before the window, check that 'ac adm upgrade' lists it (ac adm release import-manifest publishes it), or the upgrade is refused (TargetVersionNotOffered)"),
    };

    private static string Offered(RehearsalSnapshot snapshot, string cluster) =>
        OfferedBy(snapshot.Entries.First(e => e.Context == cluster).Entry) is { Count: > 0 } offered ? string.Join(", ", offered) : "none";

    /// <summary>The versions the snapshot's operator offers (status.availableUpdates); null when the snapshot holds no operator.</summary>
    private static List<string>? OfferedBy(JObject entry) =>
        Objects(entry, ClusterVersionShadowKind)
            .Where(o => Name(o) == Components.ClusterVersionShadowName && Text(o, "metadata", "namespace") == Components.ClusterVersionShadowNamespace)
            .Select(o => (At(o, "status", "availableUpdates") as JArray ?? []).OfType<JObject>().Select(u => Text(u, "version")).OfType<string>().ToList())
            .FirstOrDefault();

    /// <summary>A version as the docs write it in availableUpdates ("4.3.2", not "v4.3.2") [doc release-4.3 CLI "Updating to a Specific Version"].</summary>
    private static string Documented(string version) => version.Trim().TrimStart('v', 'V');

    private static string SynchronizerModule(PlatformLine line) => line.EtcdSync.ModuleName ?? EtcdSyncLine.PluginModuleName;

    private static bool IsSynchronizer(JObject obj) => Label(obj, AcpLabels.ModuleName) == EtcdSyncLine.PluginModuleName;

    private static bool IsSynchronizerPod(JObject pod) => SynchronizerPodLabels.All(l => Label(pod, l.Key) == l.Value);

    /// <summary>Whether the snapshot's discovery documents list <paramref name="kind"/> at <paramref name="apiVersion"/> (a resource, not a subresource).</summary>
    private static bool Discovered(JObject entry, string apiVersion, string kind) =>
        (At(entry, "discovery", "resources", apiVersion, "resources") as JArray ?? [])
            .OfType<JObject>()
            .Any(r => Text(r, "kind") == kind && !(Text(r, "name") ?? "/").Contains('/', StringComparison.Ordinal));

    private static IEnumerable<JObject> Objects(JObject entry, string kind) =>
        (At(entry, "objects") as JArray ?? []).OfType<JObject>().Where(o => Text(o, "kind") == kind);

    private static string Name(JObject obj) => Text(obj, "metadata", "name") ?? "";

    private static string? Label(JObject obj, string key) => Text(obj, "metadata", "labels", key);

    /// <summary>The token at <paramref name="keys"/>, through objects only: a snapshot written by hand may hold anything anywhere.</summary>
    private static JToken? At(JToken? token, params string[] keys)
    {
        foreach (var key in keys)
        {
            token = token is JObject obj ? obj[key] : null;
        }

        return token;
    }

    private static string? Text(JToken? token, params string[] keys) => At(token, keys) is JValue { Type: JTokenType.String } value ? (string?)value : null;

    private static string Key(AcpResource resource, string kind) => $"{resource.ApiVersion} {kind}";

    private static RehearsalFinding Finding(string cluster, string code, string message) => new(Source, cluster, code, message);
}
