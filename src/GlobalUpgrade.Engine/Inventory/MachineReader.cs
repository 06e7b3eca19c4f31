using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Inventory;

/// <summary>Reads the tkestack Machines of a global cluster.</summary>
public static class MachineReader
{
    public static async Task<IReadOnlyList<GlobalMachine>> ListAsync(ClusterConnection connection, CancellationToken cancellationToken)
    {
        var items = await connection.ListAsync(AcpResources.Machines, null, null, cancellationToken).ConfigureAwait(false);
        return items.Select(item => FromObject(connection.Name, item)).OrderBy(m => m.ClusterName, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    public static GlobalMachine FromObject(string cluster, JsonObject item)
    {
        var machine = Machine.From(item);
        return new()
        {
            Cluster = cluster,
            Name = machine.Name,
            ClusterName = machine.ClusterName,
            IP = machine.IP,
            Role = machine.Role,
            Phase = machine.Phase,
            Reason = machine.Reason,
            Message = machine.Message,
        };
    }
}
