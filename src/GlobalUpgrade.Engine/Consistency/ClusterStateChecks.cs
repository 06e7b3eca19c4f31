using System.Text.Json.Nodes;
using GlobalUpgrade.Inventory;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Consistency;

/// <summary>The per-cluster checks: Machines Running, plugins and functional components settled.</summary>
public static class ClusterStateChecks
{
    private const int ListedInMessage = 10;

    public static async Task<CheckResult> MachinesRunningAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var machines = await MachineReader.ListAsync(cluster, cancellationToken).ConfigureAwait(false);
        var notRunning = machines.Where(m => !m.IsRunning).ToList();
        return new CheckResult
        {
            Check = CheckNames.MachinesRunning,
            Target = cluster.Name,
            Passed = notRunning.Count == 0,
            Expected = $"all {machines.Count} Machines Running",
            Actual = notRunning.Count == 0 ? $"{machines.Count} of {machines.Count} Running" : $"{notRunning.Count} of {machines.Count} not Running",
            Message = notRunning.Count == 0
                ? $"All {machines.Count} Machines of {cluster.Name} are Running."
                : $"Machines not Running on {cluster.Name}: {Describe(notRunning.Select(m => $"{m.Name} ({m.IP}, {m.Phase ?? "no phase"}{(string.IsNullOrEmpty(m.Reason) ? "" : ": " + m.Reason)})"))}. Resolve them (or contact support) before upgrading.",
            Detail = new Dictionary<string, object?> { ["NotRunning"] = notRunning.Select(m => m.Name).ToArray() },
        };
    }

    public static async Task<CheckResult> PluginsSettledAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var modules = await cluster.ListAsync(AcpResources.ModuleInfos, null, null, cancellationToken).ConfigureAwait(false);
        var unsettled = modules.Where(m => !IsPluginSettled(m)).ToList();
        return new CheckResult
        {
            Check = CheckNames.PluginsSettled,
            Target = cluster.Name,
            Passed = unsettled.Count == 0,
            Expected = "every ModuleInfo Running",
            Actual = $"{modules.Count - unsettled.Count} of {modules.Count} Running",
            Message = unsettled.Count == 0
                ? $"All {modules.Count} plugins (ModuleInfo) of {cluster.Name} are Running."
                : $"Plugins not settled on {cluster.Name}: {Describe(unsettled.Select(m => $"{ModuleLabel(m)} ({(JsonPath.String(m, "metadata.deletionTimestamp") is null ? JsonPath.String(m, "status.phase") ?? "no phase" : "Deleting")})"))}. Wait for them or fix them first.",
            Detail = new Dictionary<string, object?> { ["Unsettled"] = unsettled.Select(JsonPath.Name).ToArray() },
        };
    }

    public static async Task<CheckResult> ComponentsSettledAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var modules = await cluster.ListAsync(AcpResources.ClusterModules, null, null, cancellationToken).ConfigureAwait(false);
        var unsettled = modules.Where(m => !IsComponentSettled(m)).ToList();
        return new CheckResult
        {
            Check = CheckNames.ComponentsSettled,
            Target = cluster.Name,
            Passed = unsettled.Count == 0 && modules.Count > 0,
            Expected = "every ClusterModule Completed and Healthy",
            Actual = $"{modules.Count - unsettled.Count} of {modules.Count} settled",
            Message = modules.Count == 0
                ? $"{cluster.Name} has no ClusterModule, so its functional components cannot be checked."
                : unsettled.Count == 0
                    ? $"All {modules.Count} functional components (ClusterModule) of {cluster.Name} are Completed and Healthy."
                    : $"Functional components not settled on {cluster.Name}: {Describe(unsettled.Select(m => $"{JsonPath.Name(m)} ({JsonPath.String(m, "status.base.deployStatus") ?? "no deployStatus"}/{JsonPath.String(m, "status.base.runningStatus") ?? "no runningStatus"}{Reason(m)})"))}.",
            Detail = new Dictionary<string, object?> { ["Unsettled"] = unsettled.Select(JsonPath.Name).ToArray() },
        };
    }

    internal static bool IsPluginSettled(JsonObject moduleInfo) =>
        JsonPath.String(moduleInfo, "metadata.deletionTimestamp") is null
        && string.Equals(JsonPath.String(moduleInfo, "status.phase"), "Running", StringComparison.Ordinal);

    internal static bool IsComponentSettled(JsonObject clusterModule) =>
        string.Equals(JsonPath.String(clusterModule, "status.base.deployStatus"), "Completed", StringComparison.Ordinal)
        && string.Equals(JsonPath.String(clusterModule, "status.base.runningStatus"), "Healthy", StringComparison.Ordinal);

    private static string ModuleLabel(JsonObject moduleInfo) =>
        JsonPath.StringMap(moduleInfo, "metadata.labels").TryGetValue("cpaas.io/module-name", out var module) ? $"{module} [{JsonPath.Name(moduleInfo)}]" : JsonPath.Name(moduleInfo);

    private static string Reason(JsonObject clusterModule) =>
        JsonPath.String(clusterModule, "status.unableUpgradeReason") is { Length: > 0 } reason ? ": " + reason : "";

    private static string Describe(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= ListedInMessage ? string.Join(", ", list) : string.Join(", ", list.Take(ListedInMessage)) + $" and {list.Count - ListedInMessage} more";
    }
}
