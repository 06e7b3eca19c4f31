using System.Text.Json.Nodes;
using GlobalUpgrade.Inventory;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Consistency;

/// <summary>
/// The per-cluster checks: Machines Running, plugins and functional components settled. Each is an "all of"
/// check, and "all of nothing" is never a pass where the platform must have members: a global cluster has at
/// least its control-plane Machines and its own ClusterModule, so an empty list of those means the answer cannot
/// be trusted (NOT CHECKED). Plugins are the exception: a cluster may have none installed, and the list was
/// read whole (ClusterConnection refuses an answer that is not a list), so none installed is none unsettled.
/// </summary>
public static class ClusterStateChecks
{
    private const int ListedInMessage = 10;

    public static async Task<CheckResult> MachinesRunningAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var machines = await MachineReader.ListAsync(cluster, cancellationToken).ConfigureAwait(false);
        if (machines.Count == 0)
        {
            return NoMembers(CheckNames.MachinesRunning, cluster, "Machines (machines.platform.tkestack.io)", "its control-plane nodes");
        }

        var notRunning = machines.Where(m => !m.IsRunning).ToList();
        return new CheckResult
        {
            Check = CheckNames.MachinesRunning,
            Target = cluster.Name,
            State = CheckResult.Made(notRunning.Count == 0),
            Expected = $"all {machines.Count} Machines Running (at least one)",
            Actual = notRunning.Count == 0 ? $"{machines.Count} of {machines.Count} Running" : $"{notRunning.Count} of {machines.Count} not Running",
            Message = notRunning.Count == 0
                ? $"All {machines.Count} Machines of {cluster.Name} are Running."
                : $"Machines not Running on {cluster.Name}: {Describe(notRunning.Select(m => $"{m.Name} ({m.IP}, {m.Phase ?? "no phase"}{(string.IsNullOrEmpty(m.Reason) ? "" : ": " + m.Reason)})"))}. Resolve them (or contact support) before upgrading.",
            Detail = new Dictionary<string, object?> { ["NotRunning"] = notRunning.Select(m => m.Name).ToArray() },
        };
    }

    public static async Task<CheckResult> PluginsSettledAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var modules = (await cluster.ListAsync(AcpResources.ModuleInfos, null, null, cancellationToken).ConfigureAwait(false)).Select(ModuleInfo.From).ToList();
        var unsettled = modules.Where(m => !m.IsRunning).ToList();
        var none = modules.Count == 0;
        return new CheckResult
        {
            Check = CheckNames.PluginsSettled,
            Target = cluster.Name,
            State = CheckResult.Made(unsettled.Count == 0),
            Expected = "every ModuleInfo Running",
            Actual = $"{modules.Count - unsettled.Count} of {modules.Count} Running",
            Message = none
                ? $"No plugin (ModuleInfo) is installed on {cluster.Name}, so none is unsettled."
                : unsettled.Count == 0
                ? $"All {modules.Count} plugins (ModuleInfo) of {cluster.Name} are Running."
                : $"Plugins not settled on {cluster.Name}: {Describe(unsettled.Select(m => $"{m.Describe()} ({(m.Meta.IsDeleting ? "Deleting" : m.Phase ?? "no phase")})"))}. Wait for them or fix them first.",
            Detail = new Dictionary<string, object?> { ["Unsettled"] = unsettled.Select(m => m.Name).ToArray() },
        };
    }

    public static async Task<CheckResult> ComponentsSettledAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var modules = (await cluster.ListAsync(AcpResources.ClusterModules, null, null, cancellationToken).ConfigureAwait(false)).Select(ClusterModule.From).ToList();
        if (modules.Count == 0)
        {
            return NoMembers(CheckNames.ComponentsSettled, cluster, "ClusterModules (clustermodules.cluster.alauda.io)", "the global cluster's own ClusterModule");
        }

        var unsettled = modules.Where(m => !m.IsSettled).ToList();
        return new CheckResult
        {
            Check = CheckNames.ComponentsSettled,
            Target = cluster.Name,
            State = CheckResult.Made(unsettled.Count == 0),
            Expected = "every ClusterModule Completed and Healthy (at least one)",
            Actual = $"{modules.Count - unsettled.Count} of {modules.Count} settled",
            Message = unsettled.Count == 0
                    ? $"All {modules.Count} functional components (ClusterModule) of {cluster.Name} are Completed and Healthy."
                    : $"Functional components not settled on {cluster.Name}: {Describe(unsettled.Select(m => $"{m.Name} ({m.DeployStatus ?? "no deployStatus"}/{m.RunningStatus ?? "no runningStatus"}{(m.UnableUpgradeReason is { Length: > 0 } reason ? ": " + reason : "")})"))}.",
            Detail = new Dictionary<string, object?> { ["Unsettled"] = unsettled.Select(m => m.Name).ToArray() },
        };
    }

    private static CheckResult NoMembers(string check, ClusterConnection cluster, string kind, string mustHave) =>
        NotChecked.Result(check, cluster.Name, Errors.ErrorIds.NoMembersToCheck,
            $"{cluster.Name} answered with no {kind} at all, but a global cluster always has {mustHave}. An empty answer proves nothing; check that the context points at the global cluster and that its API server serves them, then check again.");

    private static string Describe(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= ListedInMessage ? string.Join(", ", list) : string.Join(", ", list.Take(ListedInMessage)) + $" and {list.Count - ListedInMessage} more";
    }
}
