using System.Collections.Concurrent;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// The layouts (<see cref="KeyspaceLayout"/>) of the keyspaces scanned so far, one per etcd cluster (its endpoints),
/// prefix and page size: what a session that compares the same pair again — before and after a sync, in a pre-flight
/// run — keeps from one comparison for the next. Keys only, as the scan read them; no value. Thread-safe.
/// </summary>
public sealed class KeyspaceLayouts
{
    /// <summary>Clusters remembered at most: a session compares a pair or two; past that, all is forgotten and learned again.</summary>
    private const int MaxRemembered = 16;

    private readonly ConcurrentDictionary<string, KeyspaceLayout> known = new(StringComparer.Ordinal);

    internal KeyspaceLayout? Find(EtcdClientOptions side, string prefix, bool withValues, int pageSize) =>
        known.TryGetValue(Key(side, prefix, withValues, pageSize), out var layout) ? layout : null;

    internal void Remember(EtcdClientOptions side, string prefix, bool withValues, int pageSize, KeyspaceLayout layout)
    {
        var key = Key(side, prefix, withValues, pageSize);
        if (known.Count >= MaxRemembered && !known.ContainsKey(key))
        {
            known.Clear();
        }

        known[key] = layout;
    }

    private static string Key(EtcdClientOptions side, string prefix, bool withValues, int pageSize) =>
        $"{string.Join(' ', side.Endpoints)}\n{prefix}\n{withValues}\n{pageSize}";
}
