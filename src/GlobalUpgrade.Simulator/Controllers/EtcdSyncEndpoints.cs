using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Scenarios;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// Whether the standby's synchronizer reaches the active cluster's etcd at an endpoint of its form. [doc release-4.3
/// DRI "Step 3: Enable etcd Synchronization"] step 1: port 2379 of the active VIP is forwarded to its control-plane
/// nodes, or "If direct access from the standby cluster to the active global cluster is available, specify the etcd
/// addresses": so the active VIP or a control-plane node's address, on port 2379, answers; nothing else does.
/// </summary>
internal static class EtcdSyncEndpoints
{
    private const int EtcdPort = 2379;

    /// <summary>The endpoints a form value holds: a comma-separated text or a list of texts.</summary>
    public static IReadOnlyList<string> Read(JsonNode? value) => value switch
    {
        JsonArray list => list.Select(e => e?.ToString().Trim() ?? "").Where(e => e.Length > 0).ToList(),
        JsonValue v when v.TryGetValue<string>(out var text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        _ => [],
    };

    /// <summary>What the synchronizer would log for an endpoint that does not answer as the active etcd; null when it does.</summary>
    public static async Task<string?> FailureAsync(string endpoint, ClusterScenario active, bool portClosed, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
        {
            return "parse error: want https://host:2379";
        }

        var host = uri.Host.Trim('[', ']');
        var port = uri.Port;
        if (host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)))
        {
            // A loopback address is this machine: a test's real etcd stands in for the active one there, so ask it.
            return await AnswersAsync(host, port, cancellationToken) ? null : $"dial tcp {host}:{port}: connect: connection refused";
        }

        var activeHosts = active.Machines.Where(m => m.Role == "master").Select(m => m.Ip).Append(active.Vip).Where(h => h.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!activeHosts.Contains(host))
        {
            return $"dial tcp {host}:{port}: i/o timeout (not an address of the active cluster)";
        }

        if (port != EtcdPort)
        {
            return $"dial tcp {host}:{port}: connect: connection refused";
        }

        return portClosed ? $"dial tcp {host}:{port}: i/o timeout (port {EtcdPort} not reachable from the standby)" : null;
    }

    private static async Task<bool> AnswersAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, limit.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
