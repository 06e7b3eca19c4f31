using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// Plays the Cluster Version Operator's AdminAckRequired check (4.4, [doc master UGC "Run preflight checks", "Handle
/// administrator acknowledgement gates"]): toward a target whose line has administrator gates, it fails while a gate
/// of ConfigMap cpaas-system/admin-gates has no "true" under its key in cpaas-system/admin-acks, and passes once every
/// gate has one. The check lives in ClusterVersionShadow status.preflight.checks, PreflightReady following it.
/// [assumed] the operator reevaluates it when either ConfigMap changes (the docs run `upgrade.sh --preflight` again
/// and then read the same CVSH field); only a preflight the operator already reported is changed, never created.
/// Reason "AdminAckRequired" and the message wording are [assumed].
/// </summary>
internal sealed class AdminAckController(SimCluster cluster, ControllerContext ctx)
{
    public const string Check = "AdminAckRequired";
    public const string Namespace = "cpaas-system";
    public const string GatesName = "admin-gates";
    public const string AcksName = "admin-acks";

    // Subscribed at construction, so nothing written after the simulator has started is missed.
    private readonly StoreSubscription subscription = cluster.Store.Subscribe(ResourceTypes.ConfigMaps, Namespace, null);

    public async Task RunAsync()
    {
        using var sub = subscription;
        Evaluate();
        await foreach (var e in sub.Live.ReadAllAsync(ctx.Stopping))
        {
            if (e.Object.Name() is GatesName or AcksName)
            {
                Evaluate();
            }
        }
    }

    private void Evaluate()
    {
        var shadows = cluster.Store.ServedAs(ResourceTypes.ClusterVersionShadows);
        var shadow = cluster.Store.Get(shadows, Namespace, ClusterVersionShadowController.Name);
        if (shadow?["status"]?["preflight"]?["checks"] is not JsonArray || !PlatformLine.For(TargetOf(shadow)).HasAdminAckGates)
        {
            return;
        }

        var gates = Data(GatesName).Keys.Order(StringComparer.Ordinal).ToList();
        var acks = Data(AcksName);
        var open = gates.Where(g => !string.Equals(acks.GetValueOrDefault(g), "true", StringComparison.Ordinal)).ToList();
        var entry = new JsonObject
        {
            ["name"] = Check,
            ["policy"] = ClusterVersionShadowController.CheckPolicy,
            ["state"] = open.Count == 0 ? "Passed" : "Failed",
            ["reason"] = open.Count == 0 ? "" : Check,
            ["message"] = open.Count == 0 ? "" : $"administrator acknowledgement required in {Namespace}/{AcksName}: {string.Join(", ", open)}",
        };
        cluster.Store.Mutate(shadows, Namespace, ClusterVersionShadowController.Name, o =>
        {
            if (o["status"]?["preflight"] is not JsonObject preflight || preflight["checks"] is not JsonArray checks)
            {
                return o;
            }

            var index = checks.OfType<JsonObject>().ToList().FindIndex(c => c.Str("name") == Check);
            if (index >= 0)
            {
                checks[index] = entry;
            }
            else
            {
                checks.Add(entry);
            }

            preflight["observedAt"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow);
            var blocking = checks.OfType<JsonObject>().FirstOrDefault(c => c.Str("state") == "Failed") ?? checks.OfType<JsonObject>().FirstOrDefault(c => c.Str("state") != "Passed");
            if (o["status"]?["conditions"] is JsonArray conditions && conditions.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == "PreflightReady") is { } ready)
            {
                ready["status"] = blocking is null ? "True" : "False";
                ready["reason"] = blocking is null ? "PreflightPassed" : blocking.Str("state") == "Failed" ? blocking.Str("reason") : "PreflightRetrying";
                ready["message"] = blocking is null ? "" : $"check {blocking.Str("name")} is {blocking.Str("state")}: {blocking.Str("message")}";
            }

            return o;
        }, WriteMode.Status);
    }

    /// <summary>The version the preflight is for: the desired one while it differs from the current, else the first offered update.</summary>
    private static string? TargetOf(JsonObject shadow)
    {
        var desired = shadow.Str("status.desired.version");
        return desired is not null && desired != shadow.Str("status.current.version")
            ? desired
            : (shadow["status"]?["availableUpdates"] as JsonArray)?.OfType<JsonObject>().Select(u => u.Str("version")).FirstOrDefault(v => v is not null);
    }

    private Dictionary<string, string?> Data(string name) =>
        (cluster.Store.Get(ResourceTypes.ConfigMaps, Namespace, name)?["data"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>(), StringComparer.Ordinal)
        ?? [];
}
