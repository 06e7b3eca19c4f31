using System.Text.Json.Nodes;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>One change in the store, as a watch reports it. <see cref="Object"/> is a frozen snapshot: never mutate it.</summary>
public sealed record StoreEvent(long ResourceVersion, string Type, ResourceType Resource, JsonObject Object)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
}
