using System.Text.Json.Nodes;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>
/// One change in the store, as a watch reports it. <see cref="Object"/> and <see cref="Previous"/> are frozen
/// snapshots: never mutate them. <see cref="Previous"/> is the object before the change (null for ADDED), as etcd's
/// watch gives the API server the previous key-value: it decides whether the object left or entered a selector, and
/// it rebuilds a list at an older resourceVersion.
/// </summary>
public sealed record StoreEvent(long ResourceVersion, string Type, ResourceType Resource, JsonObject Object, JsonObject? Previous = null)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
}
