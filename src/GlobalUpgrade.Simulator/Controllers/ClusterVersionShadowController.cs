using System.Globalization;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// Plays the Cluster Version Operator (4.3+): a change of ClusterVersionShadow <c>spec.desiredUpdate.version</c> runs
/// preflight checks (<c>status.preflight.checks[]</c>), then PreflightReady → Reconciling → Ready, adds a
/// <c>status.history[]</c> entry and moves ProductBase <c>base</c> to the new version. With a scenario stall, a check
/// fails and condition Stalled=True. No schema is published for this kind: fields follow acp/README.md.
/// </summary>
internal sealed class ClusterVersionShadowController(SimCluster cluster, ControllerContext ctx)
{
    // Subscribed at construction, so nothing written after the simulator has started is missed.
    private readonly StoreSubscription _subscription = cluster.Store.Subscribe(ResourceTypes.ClusterVersionShadows, null, null);

    /// <summary>[assumed] The preflight checks the operator reports.</summary>
    public static readonly string[] PreflightChecks = ["NodesReady", "EtcdHealthy", "ClusterModulesReady", "ImagesSynced"];

    private readonly Dictionary<string, long> _handledGeneration = [];

    public async Task RunAsync()
    {
        using var sub = _subscription;
        foreach (var e in sub.Initial)
        {
            _handledGeneration[Key(e.Object)] = Generation(e.Object);
        }

        await foreach (var e in sub.Live.ReadAllAsync(ctx.Stopping))
        {
            var obj = e.Object;
            var generation = Generation(obj);
            if (e.Type == StoreEvent.Deleted || generation <= _handledGeneration.GetValueOrDefault(Key(obj)))
            {
                continue;
            }

            _handledGeneration[Key(obj)] = generation;
            var target = obj.Str("spec.desiredUpdate.version");
            // Upgrades unless the operator already runs the target: ProductBase may move before (a 4.3 upgrade.sh
            // --skip-sync-image does in the stand-in package), so what the operator last worked towards counts too.
            if (!string.IsNullOrEmpty(target) && (target != Platform.Version(cluster.Store) || obj.Str("status.desired.version") != target))
            {
                var (ns, name) = (obj.Namespace(), obj.Name());
                ctx.Spawn(() => UpgradeAsync(ns, name, target, generation));
            }
        }
    }

    public static JsonObject Seed(string version) => new()
    {
        ["apiVersion"] = ResourceTypes.ClusterVersionShadows.ApiVersion,
        ["kind"] = ResourceTypes.ClusterVersionShadows.Kind,
        ["metadata"] = new JsonObject { ["name"] = "global", ["namespace"] = "cpaas-system" },
        ["spec"] = new JsonObject { ["desiredUpdate"] = new JsonObject { ["version"] = version } },
        ["status"] = new JsonObject
        {
            ["desired"] = new JsonObject { ["version"] = version },
            ["conditions"] = new JsonArray(
                Condition("PreflightReady", "True", "PreflightPassed", ""),
                Condition("Reconciling", "False", "Completed", ""),
                Condition("Ready", "True", "Completed", $"cluster is at version {version}"),
                Condition("Stalled", "False", "", "")),
            ["preflight"] = new JsonObject { ["checks"] = new JsonArray() },
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
        var stall = cluster.Scenario.Upgrade.Stall;
        Update(ns, name, generation, s =>
        {
            SetCondition(s, "PreflightReady", "Unknown", "PreflightRunning", $"running preflight checks for {target}");
            SetCondition(s, "Stalled", "False", "", "");
            s["desired"] = new JsonObject { ["version"] = target };
            s["preflight"] = new JsonObject { ["checks"] = new JsonArray(PreflightChecks.Select(c => (JsonNode)Check(c, "Running", "", "")).ToArray()) };
        });
        await ctx.Delay(step);

        Update(ns, name, generation, s =>
        {
            s["preflight"] = new JsonObject
            {
                ["checks"] = new JsonArray(PreflightChecks.Select(c => (JsonNode)(stall is not null && stall.Check == c
                    ? Check(c, "Failed", stall.Reason, stall.Message)
                    : Check(c, "Passed", "", ""))).ToArray()),
            };
            if (stall is not null)
            {
                SetCondition(s, "PreflightReady", "False", stall.Reason, stall.Message);
                SetCondition(s, "Stalled", "True", stall.Reason, stall.Message);
                SetCondition(s, "Reconciling", "False", "PreflightFailed", stall.Message);
            }
            else
            {
                SetCondition(s, "PreflightReady", "True", "PreflightPassed", "all preflight checks passed");
                SetCondition(s, "Reconciling", "True", "Upgrading", $"upgrading to {target}");
                SetCondition(s, "Ready", "False", "Upgrading", $"upgrading to {target}");
                var history = s["history"] as JsonArray ?? [];
                history.Insert(0, new JsonObject { ["version"] = target, ["state"] = "Partial", ["startedTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow) });
                s["history"] = history.DeepClone();
            }
        });
        if (stall is not null)
        {
            return;
        }

        await ctx.Delay(cluster.Scenario.Durations.UpgradeSeconds);
        Update(ns, name, generation, s =>
        {
            SetCondition(s, "Reconciling", "False", "Completed", "");
            SetCondition(s, "Ready", "True", "Completed", $"cluster is at version {target}");
            if (s["history"] is JsonArray { Count: > 0 } history && history[0] is JsonObject first)
            {
                first["state"] = "Completed";
                first["completionTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow);
            }
        });
        Platform.SetVersion(cluster.Store, target);
    }

    private void Update(string? ns, string name, long generation, Action<JsonObject> changeStatus) =>
        cluster.Store.Mutate(ResourceTypes.ClusterVersionShadows, ns, name, o =>
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
        ["policy"] = "Required",
        ["state"] = state,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static string Key(JsonObject o) => $"{o.Namespace()}/{o.Name()}";

    private static long Generation(JsonObject o) => long.TryParse(o.Str("metadata.generation"), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
}
