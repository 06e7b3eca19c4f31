using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>The stored objects the synchronizer copies, keyed as etcd keys (<c>/registry/...</c>).</summary>
internal static class EtcdKeys
{
    /// <summary>Namespaced objects outside the unsynced namespaces (leases differ by nature), plus those namespaces.</summary>
    public static SortedDictionary<string, (ResourceType Type, JsonObject Object)> Synced(ObjectStore store)
    {
        var result = new SortedDictionary<string, (ResourceType, JsonObject)>(StringComparer.Ordinal);
        foreach (var (type, obj) in store.All())
        {
            var ns = type == ResourceTypes.Namespaces ? obj.Name() : obj.Namespace();
            if ((type.Namespaced || type == ResourceTypes.Namespaces) && type != ResourceTypes.Leases
                && ns is not null && !EtcdSyncNames.UnsyncedNamespaces.Contains(ns))
            {
                result[type.EtcdKey(obj.Namespace(), obj.Name())] = (type, obj);
            }
        }

        return result;
    }

    /// <summary>Keys in the active (primary) cluster missing locally, and local keys the active cluster lacks.</summary>
    public static (List<string> Missed, List<string> Surplus) Compare(ObjectStore active, ObjectStore local)
    {
        var a = Synced(active);
        var l = Synced(local);
        return (a.Keys.Where(k => !l.ContainsKey(k)).ToList(), l.Keys.Where(k => !a.ContainsKey(k)).ToList());
    }

    /// <summary>The object without what differs by nature between two clusters (identity, versions).</summary>
    public static JsonObject Comparable(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        var meta = copy.Metadata();
        foreach (var f in new[] { "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields" })
        {
            meta.Remove(f);
        }

        return copy;
    }
}
