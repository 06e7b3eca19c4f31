using System.Collections.Concurrent;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Session;

/// <summary>
/// The connections of one PowerShell session (runspace). Connect-GlobalCluster adds, Disconnect removes, every
/// other cmdlet resolves its -Cluster here.
/// </summary>
public sealed class ConnectionRegistry
{
    private static readonly ConcurrentDictionary<Guid, ConnectionRegistry> BySession = new();
    private readonly ConcurrentDictionary<string, ClusterConnection> connections = new(StringComparer.OrdinalIgnoreCase);

    public static ConnectionRegistry ForSession(Guid sessionId) => BySession.GetOrAdd(sessionId, _ => new ConnectionRegistry());

    /// <summary>Forgets a session that ended (its runspace closed), closing its connections.</summary>
    public static void EndSession(Guid sessionId)
    {
        if (BySession.TryRemove(sessionId, out var registry))
        {
            foreach (var name in registry.connections.Keys)
            {
                registry.Remove(name);
            }
        }
    }

    public IReadOnlyList<ClusterConnection> All => connections.Values.OrderBy(c => c.Info.Role).ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Adds a connection, replacing (and closing) an earlier one of the same name.</summary>
    public void Add(ClusterConnection connection)
    {
        if (connections.TryGetValue(connection.Name, out var previous) && !ReferenceEquals(previous, connection))
        {
            previous.Dispose();
        }

        connections[connection.Name] = connection;
    }

    public bool Remove(string name)
    {
        if (connections.TryRemove(name, out var connection))
        {
            connection.Dispose();
            return true;
        }

        return false;
    }

    public ClusterConnection Get(string name) =>
        connections.TryGetValue(name, out var connection)
            ? connection
            : throw new GlobalUpgradeException(
                ErrorIds.ClusterNotConnected,
                FailureCategory.ObjectNotFound,
                connections.IsEmpty
                    ? $"No cluster named '{name}' is connected; no cluster is connected at all. Run Connect-GlobalCluster -Context <context> -Role <role> first."
                    : $"No cluster named '{name}' is connected. Connected: {string.Join(", ", connections.Keys.Order(StringComparer.OrdinalIgnoreCase))}.",
                name);

    /// <summary>The named connections, or all of them when no name is given (an error when there are none).</summary>
    public IReadOnlyList<ClusterConnection> Resolve(IReadOnlyCollection<string>? names)
    {
        if (names is { Count: > 0 })
        {
            return names.Select(Get).ToList();
        }

        var all = All;
        return all.Count > 0
            ? all
            : throw new GlobalUpgradeException(
                ErrorIds.NoClusterConnected,
                FailureCategory.InvalidOperation,
                "No global cluster is connected. Run Connect-GlobalCluster -Context <context> -Role Primary|Standby|Standalone first.");
    }

    /// <summary>
    /// The cluster a cmdlet acts on (docs/cluster-selection.md): the one named (-Cluster, -Primary, -Standby), else the
    /// one connection of the role its work belongs to.
    /// </summary>
    public ClusterConnection Select(string? name, ClusterRole role) => name is null ? ByRole(role) : Get(name);

    /// <summary>The cluster a cmdlet of any role acts on: the one named, else the only connection (several: name one for <paramref name="purpose"/>).</summary>
    public ClusterConnection Select(string? name, string purpose)
    {
        if (name is not null)
        {
            return Get(name);
        }

        var all = Resolve(null);
        return all.Count == 1
            ? all[0]
            : throw new GlobalUpgradeException(ErrorIds.ClusterNotConnected, FailureCategory.InvalidArgument,
                $"Several clusters are connected ({string.Join(", ", all.Select(c => c.Name))}): name the one {purpose} with -Cluster.", null);
    }

    /// <summary>The one connection of a role (e.g. the standby), or an error naming what is connected.</summary>
    public ClusterConnection ByRole(ClusterRole role)
    {
        var matches = connections.Values.Where(c => c.Info.Role == role).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new GlobalUpgradeException(
                ErrorIds.ClusterNotConnected,
                FailureCategory.ObjectNotFound,
                matches.Count == 0
                    ? $"No cluster with role {role} is connected. Run Connect-GlobalCluster -Context <context> -Role {role}."
                    : $"More than one cluster has role {role} ({string.Join(", ", matches.Select(m => m.Name))}); name one with -Cluster.",
                role);
    }
}
