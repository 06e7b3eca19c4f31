using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;

namespace GlobalUpgrade.Inventory;

/// <summary>Reads the tkestack Machines of a global cluster.</summary>
public static class MachineReader
{
    public static async Task<IReadOnlyList<GlobalMachine>> ListAsync(ClusterConnection connection, CancellationToken cancellationToken)
    {
        var items = await connection.ListAsync(AcpResources.Machines, null, null, cancellationToken).ConfigureAwait(false);
        return items.Select(item => FromObject(connection.Name, item)).OrderBy(m => m.ClusterName, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    public static GlobalMachine FromObject(string cluster, JsonObject item) => new()
    {
        Cluster = cluster,
        Name = JsonPath.Name(item),
        ClusterName = JsonPath.String(item, "spec.clusterName"),
        IP = JsonPath.String(item, "spec.ip"),
        Role = JsonPath.String(item, "spec.role"),
        Phase = JsonPath.String(item, "status.phase"),
        Reason = JsonPath.String(item, "status.reason"),
        Message = JsonPath.String(item, "status.message"),
    };
}
