namespace GlobalUpgrade.Simulator.Store;

/// <summary>How a write treats the status stanza, like the API server does for resources with a status subresource.</summary>
public enum WriteMode
{
    /// <summary>The main resource: status changes are ignored (kept from the stored object; dropped on create of a custom resource).</summary>
    Api,

    /// <summary>The <c>/status</c> subresource: only status changes are kept.</summary>
    Status,

    /// <summary>Controllers and the admin API: everything is written as given.</summary>
    Raw,
}
