using System.Globalization;
using System.Text.Json.Nodes;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>
/// The objects of one simulated cluster, with one increasing resourceVersion and a bounded event history for
/// watches, like etcd behind an API server. Thread-safe; everything handed out is a copy.
/// </summary>
public sealed class ObjectStore
{
    public const int DefaultHistoryLimit = 1000;

    private readonly Lock gate = new();
    private readonly Dictionary<ResourceType, SortedDictionary<string, JsonObject>> objects = [];
    private readonly LinkedList<StoreEvent> history = new();
    private readonly List<StoreSubscription> subscriptions = [];
    private readonly TimeProvider time;
    private long resourceVersion;
    private long compactedUpTo;
    private int historyLimit;

    public ObjectStore(string clusterName, TimeProvider? time = null, int historyLimit = DefaultHistoryLimit)
    {
        ClusterName = clusterName;
        this.time = time ?? TimeProvider.System;
        this.historyLimit = historyLimit;
        foreach (var t in ResourceTypes.All)
        {
            objects[t] = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        }
    }

    public string ClusterName { get; }

    /// <summary>Types served besides <see cref="ResourceTypes.All"/>: kinds a snapshot holds that the simulator does not model.</summary>
    public IReadOnlyList<ResourceType> ExtraTypes { get; private set; } = [];

    /// <summary>What this cluster serves (routes and discovery): the modeled types, less any a stored type replaces, and the stored types.</summary>
    public IReadOnlyList<ResourceType> ServedTypes { get; private set; } = ResourceTypes.All;

    /// <summary>
    /// Serves <paramref name="type"/> as stored from now on (before the simulator starts). A modeled type of the same
    /// plural or kind in another group/version is no longer served: a cluster serves a resource from one group.
    /// </summary>
    public void RegisterType(ResourceType type)
    {
        lock (gate)
        {
            if (objects.TryAdd(type, new SortedDictionary<string, JsonObject>(StringComparer.Ordinal)))
            {
                ExtraTypes = [.. ExtraTypes, type];
                ServedTypes = [.. ResourceTypes.All.Where(t => ExtraTypes.All(e => !Replaces(e, t))), .. ExtraTypes];
            }
        }
    }

    /// <summary>
    /// The type that serves <paramref name="modeled"/>'s objects on this cluster: a stored type that replaced it (a
    /// snapshot's cluster serving the kind at another group/version), else <paramref name="modeled"/> itself. The
    /// controllers drive the objects wherever they are served.
    /// </summary>
    public ResourceType ServedAs(ResourceType modeled) => ExtraTypes.FirstOrDefault(e => Replaces(e, modeled)) ?? modeled;

    // One resource, one kind: a stored type of the same plural or kind replaces the modeled one.
    private static bool Replaces(ResourceType stored, ResourceType modeled) => stored.Resource == modeled.Resource || stored.Kind == modeled.Kind;

    /// <summary>The newest resourceVersion whose event has been forgotten; resuming from before it is 410 Expired.</summary>
    public long CompactedUpTo
    {
        get
        {
            lock (gate)
            {
                return compactedUpTo;
            }
        }
    }

    /// <summary>How many events are kept for resuming watches (and older list pages); a smaller limit compacts at once.</summary>
    public int HistoryLimit
    {
        get
        {
            lock (gate)
            {
                return historyLimit;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (gate)
            {
                historyLimit = value;
                Trim();
            }
        }
    }

    public long ResourceVersion
    {
        get
        {
            lock (gate)
            {
                return resourceVersion;
            }
        }
    }

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (gate)
        {
            return objects[type].TryGetValue(Key(type, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    public JsonObject? Get(string resource, string? ns, string name) => Get(ResourceTypes.ByResource(resource), ns, name);

    /// <summary>Objects of a type (in one namespace, or all when <paramref name="ns"/> is null), ordered by namespace/name.</summary>
    public (List<JsonObject> Items, long ResourceVersion) List(ResourceType type, string? ns = null)
    {
        lock (gate)
        {
            var items = objects[type].Values
                .Where(o => ns is null || o.Namespace() == ns)
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
            return (items, resourceVersion);
        }
    }

    public List<JsonObject> List(string resource, string? ns = null) => List(ResourceTypes.ByResource(resource), ns).Items;

    /// <summary>
    /// The objects of a type as they were at <paramref name="atResourceVersion"/>, as etcd reads an older revision:
    /// the current state with the retained history after it undone. A list's <c>continue</c> pages read here, so
    /// every page belongs to the first page's snapshot. 410 Expired when that revision was compacted.
    /// </summary>
    public List<JsonObject> ListAt(ResourceType type, string? ns, long atResourceVersion)
    {
        lock (gate)
        {
            if (atResourceVersion < compactedUpTo)
            {
                throw ApiException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }

            var state = new SortedDictionary<string, JsonObject>(objects[type], StringComparer.Ordinal);
            for (var e = history.Last; e is not null && e.Value.ResourceVersion > atResourceVersion; e = e.Previous)
            {
                if (e.Value.Resource != type)
                {
                    continue;
                }

                var key = Key(type, type.Namespaced ? e.Value.Object.Namespace() : null, e.Value.Object.Name());
                if (e.Value.Previous is { } before)
                {
                    state[key] = before;
                }
                else
                {
                    state.Remove(key);
                }
            }

            return state.Values.Where(o => ns is null || o.Namespace() == ns).Select(o => (JsonObject)o.DeepClone()).ToList();
        }
    }

    /// <summary>Every stored object, sorted by etcd key.</summary>
    public List<(ResourceType Type, JsonObject Object)> All()
    {
        lock (gate)
        {
            return objects
                .SelectMany(p => p.Value.Values.Select(o => (Type: p.Key, Object: (JsonObject)o.DeepClone())))
                .OrderBy(p => p.Type.EtcdKey(p.Object.Namespace(), p.Object.Name()), StringComparer.Ordinal)
                .ToList();
        }
    }

    public JsonObject Create(ResourceType type, JsonObject obj, WriteMode mode = WriteMode.Api)
    {
        obj = (JsonObject)obj.DeepClone();
        var meta = obj.Metadata();
        var ns = type.Namespaced ? obj.Namespace() : null;
        if (type.Namespaced && string.IsNullOrEmpty(ns))
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        lock (gate)
        {
            var name = obj.Name();
            if (string.IsNullOrEmpty(name))
            {
                var prefix = obj.Str("metadata.generateName") ?? throw ApiException.Invalid(type, "", "metadata.name: Required value: name or generateName is required");
                do
                {
                    name = prefix + RandomSuffix(5);
                }
                while (objects[type].ContainsKey(Key(type, ns, name)));
                meta["name"] = name;
            }

            if (objects[type].ContainsKey(Key(type, ns, name)))
            {
                throw ApiException.AlreadyExists(type, name);
            }

            if (mode != WriteMode.Raw && ns is not null && !objects[ResourceTypes.Namespaces].ContainsKey(ns))
            {
                throw ApiException.NotFound(ResourceTypes.Namespaces, ns);
            }

            if (mode == WriteMode.Api && type.HasStatus && type.IsCustom)
            {
                obj.Remove("status");
            }

            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            if (!type.Namespaced)
            {
                meta.Remove("namespace");
            }

            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = ObjectMeta.Timestamp(time.GetUtcNow());
            meta["generation"] = 1;
            meta.Remove("deletionTimestamp");
            return Commit(type, obj, StoreEvent.Added);
        }
    }

    public JsonObject Create(string resource, JsonObject obj, WriteMode mode = WriteMode.Raw) => Create(ResourceTypes.ByResource(resource), obj, mode);

    /// <summary>Replaces an object (PUT). A non-empty resourceVersion that is not the stored one is a conflict.</summary>
    public JsonObject Update(ResourceType type, JsonObject obj, WriteMode mode = WriteMode.Api)
    {
        var ns = type.Namespaced ? obj.Namespace() : null;
        return Mutate(type, ns, obj.Name(), _ => (JsonObject)obj.DeepClone(), mode);
    }

    /// <summary>Reads, changes and writes an object atomically; the change receives a private copy.</summary>
    public JsonObject Mutate(ResourceType type, string? ns, string name, Func<JsonObject, JsonObject> change, WriteMode mode = WriteMode.Raw)
    {
        lock (gate)
        {
            if (!objects[type].TryGetValue(Key(type, ns, name), out var current))
            {
                throw ApiException.NotFound(type, name);
            }

            var proposed = change((JsonObject)current.DeepClone());
            var rv = proposed.Str("metadata.resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != current.Str("metadata.resourceVersion"))
            {
                throw ApiException.Conflict(type, name);
            }

            var next = Reconcile(type, current, proposed, mode);
            if (JsonNode.DeepEquals(next, current))
            {
                return (JsonObject)current.DeepClone();
            }

            if (next.IsDeleting() && next.Finalizers().Count == 0)
            {
                return Remove(type, next, current);
            }

            return Commit(type, next, StoreEvent.Modified, current);
        }
    }

    public JsonObject Mutate(string resource, string? ns, string name, Action<JsonObject> change) =>
        Mutate(ResourceTypes.ByResource(resource), ns, name, o =>
        {
            change(o);
            return o;
        });

    /// <summary>Creates or replaces an object as given (controllers, scenarios, admin API).</summary>
    public JsonObject Upsert(ResourceType type, JsonObject obj)
    {
        lock (gate)
        {
            var ns = type.Namespaced ? obj.Namespace() : null;
            if (!objects[type].ContainsKey(Key(type, ns, obj.Name())))
            {
                return Create(type, obj, WriteMode.Raw);
            }

            var copy = (JsonObject)obj.DeepClone();
            copy.Metadata().Remove("resourceVersion");
            return Mutate(type, ns, obj.Name(), _ => copy, WriteMode.Raw);
        }
    }

    /// <summary>
    /// Deletes an object. With finalizers it only gets a deletionTimestamp and stays until they are removed.
    /// Returns the object as it is after the call and whether it is gone.
    /// </summary>
    public (JsonObject Object, bool Removed) Delete(ResourceType type, string? ns, string name, string? uidPrecondition = null)
    {
        lock (gate)
        {
            if (!objects[type].TryGetValue(Key(type, ns, name), out var current))
            {
                throw ApiException.NotFound(type, name);
            }

            if (uidPrecondition is not null && uidPrecondition != current.Str("metadata.uid"))
            {
                throw new ApiException(409, "Conflict", $"Precondition failed: UID in precondition: {uidPrecondition}, UID in object meta: {current.Str("metadata.uid")}", type, name);
            }

            if (current.Finalizers().Count > 0)
            {
                if (current.IsDeleting())
                {
                    return ((JsonObject)current.DeepClone(), false);
                }

                var next = (JsonObject)current.DeepClone();
                next.Metadata()["deletionTimestamp"] = ObjectMeta.Timestamp(time.GetUtcNow());
                next.Metadata()["deletionGracePeriodSeconds"] = 0;
                return (Commit(type, next, StoreEvent.Modified, current), false);
            }

            if (type == ResourceTypes.Namespaces)
            {
                // Namespace deletion removes what is in it; the simulator does not model the Terminating phase.
                foreach (var t in ResourceTypes.All.Where(t => t.Namespaced))
                {
                    foreach (var o in objects[t].Values.Where(o => o.Namespace() == name).ToList())
                    {
                        Remove(t, (JsonObject)o.DeepClone(), o);
                    }
                }
            }

            return (Remove(type, (JsonObject)current.DeepClone(), current), true);
        }
    }

    public (JsonObject Object, bool Removed) Delete(string resource, string? ns, string name) => Delete(ResourceTypes.ByResource(resource), ns, name);

    /// <summary>
    /// Subscribes to changes of a type (or all types when null). With <paramref name="fromResourceVersion"/> the
    /// retained history after it is replayed (410 Expired when it was compacted); without, the current objects are
    /// replayed as synthetic ADDED events.
    /// </summary>
    public StoreSubscription Subscribe(ResourceType? type, string? ns, long? fromResourceVersion)
    {
        lock (gate)
        {
            var sub = new StoreSubscription(type, ns, s =>
            {
                lock (gate)
                {
                    subscriptions.Remove(s);
                }
            });
            if (fromResourceVersion is { } from)
            {
                if (from < compactedUpTo)
                {
                    throw ApiException.Gone($"too old resource version: {from} ({compactedUpTo + 1})");
                }

                sub.Initial = history.Where(e => e.ResourceVersion > from && sub.Wants(e)).ToList();
            }
            else
            {
                sub.Initial = objects
                    .Where(p => type is null || p.Key == type)
                    .SelectMany(p => p.Value.Values.Select(o => (Type: p.Key, Object: o)))
                    .Where(p => ns is null || p.Object.Namespace() == ns)
                    .Select(p => new StoreEvent(p.Object.ResourceVersion(), StoreEvent.Added, p.Type, (JsonObject)p.Object.DeepClone()))
                    .ToList();
            }

            subscriptions.Add(sub);
            return sub;
        }
    }

    /// <summary>Forgets the event history, as an etcd compaction does; older watches then get 410 Expired.</summary>
    public void Compact()
    {
        lock (gate)
        {
            history.Clear();
            compactedUpTo = resourceVersion;
        }
    }

    private static string Key(ResourceType type, string? ns, string name) => type.Namespaced ? $"{ns}/{name}" : name;

    private static string RandomSuffix(int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(length, alphabet, (span, a) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = a[Random.Shared.Next(a.Length)];
            }
        });
    }

    // Builds the object to store from the stored one and what the client sent, per write mode.
    private static JsonObject Reconcile(ResourceType type, JsonObject current, JsonObject proposed, WriteMode mode)
    {
        JsonObject next;
        if (mode == WriteMode.Status)
        {
            next = (JsonObject)current.DeepClone();
            next["status"] = proposed["status"]?.DeepClone();
            if (next["status"] is null)
            {
                next.Remove("status");
            }
        }
        else
        {
            next = (JsonObject)proposed.DeepClone();
            if (mode == WriteMode.Api && type.HasStatus)
            {
                next.Remove("status");
                if (current["status"] is { } status)
                {
                    next["status"] = status.DeepClone();
                }
            }

            // Identity and server-owned fields cannot be changed by a client.
            var meta = next.Metadata();
            var cur = current.Metadata();
            foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds" })
            {
                meta.Remove(field);
                if (cur[field] is { } v)
                {
                    meta[field] = v.DeepClone();
                }
            }

            next["apiVersion"] = type.ApiVersion;
            next["kind"] = type.Kind;
        }

        next.Metadata()["resourceVersion"] = current.Str("metadata.resourceVersion");
        if (!JsonNode.DeepEquals(Body(current), Body(next)))
        {
            var generation = long.TryParse(current.Str("metadata.generation"), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 1;
            next.Metadata()["generation"] = generation + 1;
        }

        return next;
    }

    // Everything but metadata and status: what "spec changed" means for the generation counter.
    private static JsonObject Body(JsonObject o)
    {
        var b = new JsonObject();
        foreach (var (k, v) in o)
        {
            if (k is not ("metadata" or "status" or "apiVersion" or "kind"))
            {
                b[k] = v?.DeepClone();
            }
        }

        return b;
    }

    // The stored objects are never mutated in place (a change replaces them), so the previous one is kept as is.
    private JsonObject Commit(ResourceType type, JsonObject obj, string eventType, JsonObject? previous = null)
    {
        var rv = ++resourceVersion;
        obj.Metadata()["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        objects[type][Key(type, type.Namespaced ? obj.Namespace() : null, obj.Name())] = obj;
        Publish(new StoreEvent(rv, eventType, type, (JsonObject)obj.DeepClone(), previous));
        return (JsonObject)obj.DeepClone();
    }

    private JsonObject Remove(ResourceType type, JsonObject obj, JsonObject previous)
    {
        objects[type].Remove(Key(type, type.Namespaced ? obj.Namespace() : null, obj.Name()));
        var rv = ++resourceVersion;
        obj.Metadata()["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        Publish(new StoreEvent(rv, StoreEvent.Deleted, type, (JsonObject)obj.DeepClone(), previous));
        return obj;
    }

    private void Trim()
    {
        while (history.Count > historyLimit)
        {
            compactedUpTo = history.First!.Value.ResourceVersion;
            history.RemoveFirst();
        }
    }

    private void Publish(StoreEvent e)
    {
        history.AddLast(e);
        Trim();

        foreach (var s in subscriptions)
        {
            if (s.Wants(e))
            {
                s.Channel.Writer.TryWrite(e);
            }
        }
    }
}
