using System.Globalization;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Scenarios;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// Plays the Cluster Version Operator (4.3+). A change of ClusterVersionShadow <c>spec.desiredUpdate.version</c> runs the
/// preflight checks, then the stages, and ends with <c>status.current</c> at the target and ProductBase <c>base</c> moved.
/// It writes only the documented status fields [doc: release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx "Observe
/// execution", docs/en/ui/cli_tools/ac/upgrading-clusters.md]: <c>current</c>/<c>desired</c> (version, image),
/// <c>conditions</c> PreflightReady / Ready / Reconciling / Stalled / Degraded, <c>preflight.observedAt</c> and
/// <c>.checks[]</c> (name, policy, state Passed / Retry / Failed, reason, message), <c>stages[]</c> (name, priority,
/// phase Pending / Running / Finished), <c>history[]</c> newest first, <c>availableUpdates</c>. It upgrades only to a
/// version listed in availableUpdates, written as listed ("4.3.0"); anything else is not upgraded (<see cref="Refuse"/>).
/// Scenarios make a check Retry for a while, fail it (Stalled) or make the upgrade Degraded.
/// </summary>
internal sealed class ClusterVersionShadowController(SimCluster cluster, ControllerContext ctx)
{
    public const string Name = "global";

    // Where this cluster serves it: the modeled group/version, or the one a snapshot's cluster served it at.
    private readonly ResourceType type = cluster.Store.ServedAs(ResourceTypes.ClusterVersionShadows);

    // Subscribed at construction, so nothing written after the simulator has started is missed.
    private readonly StoreSubscription subscription = cluster.Store.Subscribe(cluster.Store.ServedAs(ResourceTypes.ClusterVersionShadows), null, null);

    /// <summary>The default check set [doc: release-4.3 upgrade_global_cluster.mdx "Run preflight checks"].</summary>
    public static readonly string[] PreflightChecks =
    [
        "ResourcePatchUpgradeable", "ClusterVersionUpgradeable", "VersionUpgradePath", "KubernetesVersionSupported",
        "DockerRuntimeUnsupported", "ClusterRunning", "ClusterModuleStable", "ControlPlaneStaticPodsPresent",
        "CustomEtcdBackupCronJobsAbsent", "CRIUpgradePodsAbsent", "ModuleInfoStable", "PlatformLicense",
    ];

    /// <summary>[assumed] Stage names: the docs say the CVO drives the Core and then the Aligned plugins.</summary>
    public static readonly string[] Stages = ["Core", "Aligned"];

    /// <summary>[assumed] A check's reentry policy value (the docs name the field, not its values).</summary>
    public const string CheckPolicy = "Always";

    private readonly Dictionary<string, long> handledGeneration = [];

    public async Task RunAsync()
    {
        using var sub = subscription;
        foreach (var e in sub.Initial)
        {
            handledGeneration[Key(e.Object)] = Generation(e.Object);
        }

        await foreach (var e in sub.Live.ReadAllAsync(ctx.Stopping))
        {
            var obj = e.Object;
            var generation = Generation(obj);
            if (e.Type == StoreEvent.Deleted || generation <= handledGeneration.GetValueOrDefault(Key(obj)))
            {
                continue;
            }

            handledGeneration[Key(obj)] = generation;
            var target = obj.Str("spec.desiredUpdate.version");
            if (string.IsNullOrEmpty(target) || obj.Str("status.current.version") == target)
            {
                continue;
            }

            var (ns, name) = (obj.Namespace(), obj.Name());
            if (Offered(obj).Contains(target, StringComparer.Ordinal))
            {
                ctx.Spawn(() => UpgradeAsync(ns, name, target, generation));
            }
            else
            {
                Refuse(ns, name, target, Offered(obj), generation);
            }
        }
    }

    /// <summary>The versions in <c>status.availableUpdates</c>, as published (the documented spelling, "4.3.0").</summary>
    private static List<string> Offered(JsonObject obj) =>
        (obj["status"]?["availableUpdates"] as JsonArray ?? []).OfType<JsonObject>().Select(u => u.Str("version")).OfType<string>().ToList();

    /// <summary>
    /// A version it does not offer, or not as offered ("v4.3.0" for "4.3.0"), is not upgraded to: the docs request only
    /// versions listed in availableUpdates, written as listed [doc: release-4.3 docs/en/ui/cli_tools/ac/upgrading-clusters.md,
    /// upgrade_global_cluster.mdx "Request the upgrade"]. How the real operator answers is [assumed]: Stalled=True with
    /// reason VersionNotAvailable, status.desired unchanged.
    /// </summary>
    private void Refuse(string? ns, string name, string target, List<string> offered, long generation) =>
        Update(ns, name, generation, s =>
        {
            var message = $"version \"{target}\" is not in availableUpdates ({(offered.Count == 0 ? "none" : string.Join(", ", offered))}); request a version as listed there";
            SetCondition(s, "Stalled", "True", NotAvailableReason, message);
            SetCondition(s, "Reconciling", "False", NotAvailableReason, message);
        });

    /// <summary>[assumed] The reason of the Stalled condition for a requested version the operator does not offer.</summary>
    public const string NotAvailableReason = "VersionNotAvailable";

    /// <summary>How availableUpdates spells a version: as the ProductManifest's spec.version, "4.3.0" without "v" [doc: upgrading-clusters.md "Creating a ProductManifest"].</summary>
    public static string Documented(string version) => version.Trim().TrimStart('v', 'V');

    /// <summary>
    /// What <c>upgrade.sh --skip-sync-image</c> does on 4.3+: deploys or updates the operator (ClusterVersionShadow
    /// <c>cpaas-system/global</c> at the running version) [doc: release-4.3 upgrade_global_cluster.mdx "Deploy the
    /// cluster version operator"] and, with the package's ProductManifest, the target is offered in availableUpdates
    /// [assumed: the docs say the product image resolves the target in the ProductManifest, not which step creates it].
    /// ProductBase does not move: the operator moves it when it has finished.
    /// </summary>
    public static void Deploy(ObjectStore store, string running, string target)
    {
        var shadows = store.ServedAs(ResourceTypes.ClusterVersionShadows);
        if (store.Get(shadows, "cpaas-system", Name) is null)
        {
            var shadow = Seed(running, [target]);
            shadow["apiVersion"] = shadows.ApiVersion;
            store.Upsert(shadows, shadow);
            return;
        }

        Offer(store, target);
    }

    /// <summary>
    /// Adds <paramref name="target"/>, as the docs write it, to an existing operator's availableUpdates (the target's
    /// ProductManifest published); returns what it offered before, or null when it offered the target already or there
    /// is no operator.
    /// </summary>
    public static List<string>? Offer(ObjectStore store, string target)
    {
        var shadows = store.ServedAs(ResourceTypes.ClusterVersionShadows);
        if (store.Get(shadows, "cpaas-system", Name) is not { } existing || Offered(existing).Contains(Documented(target), StringComparer.Ordinal))
        {
            return null;
        }

        var before = Offered(existing);
        store.Mutate(shadows, "cpaas-system", Name, o =>
        {
            if (o["status"] is not JsonObject status)
            {
                status = new JsonObject();
                o["status"] = status;
            }

            status["availableUpdates"] = new JsonArray([.. Offered(o).Append(Documented(target)).Select(u => (JsonNode)Release(u))]);
            return o;
        }, WriteMode.Status);
        return before;
    }

    /// <summary>A settled operator at <paramref name="version"/>, offering <paramref name="updates"/>.</summary>
    public static JsonObject Seed(string version, IEnumerable<string> updates) => new()
    {
        ["apiVersion"] = ResourceTypes.ClusterVersionShadows.ApiVersion,
        ["kind"] = ResourceTypes.ClusterVersionShadows.Kind,
        ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = "cpaas-system" },
        ["spec"] = new JsonObject { ["desiredUpdate"] = new JsonObject { ["version"] = version } },
        ["status"] = new JsonObject
        {
            ["current"] = Release(version),
            ["desired"] = Release(version),
            ["conditions"] = new JsonArray(
                Condition("PreflightReady", "True", "PreflightPassed", ""),
                Condition("Reconciling", "False", "Completed", ""),
                Condition("Ready", "True", "Completed", $"cluster is at version {version}"),
                Condition("Stalled", "False", "", ""),
                Condition("Degraded", "False", "", "")),
            ["availableUpdates"] = new JsonArray(updates.Select(Documented).Where(u => u != Documented(version)).Select(u => (JsonNode)Release(u)).ToArray()),
            ["history"] = new JsonArray(new JsonObject
            {
                ["version"] = version,
                ["state"] = "Completed",
                ["startedTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow.AddDays(-30)),
                ["completionTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow.AddDays(-30)),
            }),
        },
    };

    private async Task UpgradeAsync(string? ns, string name, string target, long generation)
    {
        var step = cluster.Scenario.Durations.CvshStepSeconds;
        var upgrade = cluster.Scenario.Upgrade;
        var stall = upgrade.Stall;

        // Preflight: no result yet, then Retry rounds (if any), then the final states.
        Update(ns, name, generation, s =>
        {
            SetCondition(s, "PreflightReady", "Unknown", "PreflightRunning", $"running preflight checks for {target}");
            SetCondition(s, "Stalled", "False", "", "");
            SetCondition(s, "Degraded", "False", "", "");
            s["desired"] = Release(target);
            s.Remove("preflight");
            s.Remove("stages");
        });
        await ctx.Delay(step);
        for (var round = 0; round < (upgrade.Retry?.Rounds ?? 0); round++)
        {
            Update(ns, name, generation, s =>
            {
                s["preflight"] = Preflight(c => c == upgrade.Retry!.Check ? Check(c, "Retry", upgrade.Retry.Reason, upgrade.Retry.Message) : Check(c, "Passed", "", ""));
                SetCondition(s, "PreflightReady", "False", "PreflightRetrying", $"check {upgrade.Retry!.Check} has no final result yet");
            });
            await ctx.Delay(step);
        }

        Update(ns, name, generation, s =>
        {
            s["preflight"] = Preflight(c => stall is not null && stall.Check == c ? Check(c, "Failed", stall.Reason, stall.Message) : Check(c, "Passed", "", ""));
            if (stall is not null)
            {
                SetCondition(s, "PreflightReady", "False", stall.Reason, stall.Message);
                SetCondition(s, "Stalled", "True", stall.Reason, stall.Message);
                SetCondition(s, "Reconciling", "False", "PreflightFailed", stall.Message);
                return;
            }

            SetCondition(s, "PreflightReady", "True", "PreflightPassed", "all preflight checks passed");
            SetCondition(s, "Reconciling", "True", "Upgrading", $"upgrading to {target}");
            SetCondition(s, "Ready", "False", "Upgrading", $"upgrading to {target}");
            s["stages"] = new JsonArray(Stages.Select((st, i) => (JsonNode)Stage(st, i + 1, "Pending")).ToArray());
            var history = s["history"] as JsonArray ?? [];
            history.Insert(0, new JsonObject { ["version"] = target, ["state"] = "Partial", ["startedTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow) });
            s["history"] = history.DeepClone();
        });
        if (stall is not null)
        {
            return;
        }

        var perStage = cluster.Scenario.Durations.UpgradeSeconds / Stages.Length;
        for (var i = 0; i < Stages.Length; i++)
        {
            var index = i;
            Update(ns, name, generation, s => SetStage(s, index, "Running"));
            await ctx.Delay(perStage);
            if (upgrade.Degraded is { } degraded)
            {
                // The stage stays Running: the operator is blocked until someone intervenes.
                Update(ns, name, generation, s =>
                {
                    SetCondition(s, "Degraded", "True", degraded.Reason, degraded.Message);
                    SetCondition(s, "Reconciling", "False", degraded.Reason, degraded.Message);
                });
                return;
            }

            Update(ns, name, generation, s => SetStage(s, index, "Finished"));
        }

        // The platform is at the target when the operator has finished, and before it reports it: whoever sees
        // Completed finds it there. ProductBase keeps its "v" spelling.
        Platform.SetVersion(cluster.Store, "v" + Documented(target));
        Update(ns, name, generation, s =>
        {
            SetCondition(s, "Reconciling", "False", "Completed", "");
            SetCondition(s, "Ready", "True", "Completed", $"cluster is at version {target}");
            s["current"] = Release(target);
            if (s["availableUpdates"] is JsonArray updates)
            {
                s["availableUpdates"] = new JsonArray(updates.OfType<JsonObject>().Where(u => VersionText.Parse(u.Str("version")) > VersionText.Parse(target)).Select(u => (JsonNode)u.DeepClone()).ToArray());
            }

            if (s["history"] is JsonArray { Count: > 0 } history && history[0] is JsonObject first)
            {
                first["state"] = "Completed";
                first["completionTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow);
            }
        });
    }

    private void Update(string? ns, string name, long generation, Action<JsonObject> changeStatus) =>
        cluster.Store.Mutate(type, ns, name, o =>
        {
            if (Generation(o) == generation)
            {
                if (o["status"] is not JsonObject status)
                {
                    status = new JsonObject();
                    o["status"] = status;
                }

                changeStatus(status);
                status["observedGeneration"] = generation;
            }

            return o;
        }, WriteMode.Status);

    private static void SetCondition(JsonObject status, string type, string value, string reason, string message)
    {
        var conditions = status["conditions"] as JsonArray;
        if (conditions is null)
        {
            conditions = [];
            status["conditions"] = conditions;
        }

        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            conditions.Add(Condition(type, value, reason, message));
            return;
        }

        if (existing.Str("status") != value)
        {
            existing["lastTransitionTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow);
        }

        existing["status"] = value;
        existing["reason"] = reason;
        existing["message"] = message;
    }

    private static void SetStage(JsonObject status, int index, string phase)
    {
        if (status["stages"] is JsonArray stages && stages[index] is JsonObject stage)
        {
            stage["phase"] = phase;
        }
    }

    // [assumed] The image reference: the docs say current/desired carry "version and image", not the image's form.
    private static JsonObject Release(string version) => new() { ["version"] = version, ["image"] = $"registry.alauda.cn:60080/acp/release:{version}" };

    private static JsonObject Preflight(Func<string, JsonObject> check) => new()
    {
        ["observedAt"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow),
        ["checks"] = new JsonArray(PreflightChecks.Select(c => (JsonNode)check(c)).ToArray()),
    };

    private static JsonObject Stage(string name, int priority, string phase) => new() { ["name"] = name, ["priority"] = priority, ["phase"] = phase };

    private static JsonObject Condition(string type, string status, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message,
        ["lastTransitionTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow),
    };

    private static JsonObject Check(string name, string state, string reason, string message) => new()
    {
        ["name"] = name,
        ["policy"] = CheckPolicy,
        ["state"] = state,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static string Key(JsonObject o) => $"{o.Namespace()}/{o.Name()}";

    private static long Generation(JsonObject o) => long.TryParse(o.Str("metadata.generation"), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
}
