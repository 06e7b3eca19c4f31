using System.Text;

namespace GlobalUpgrade.Etcd;

/// <summary>One exclusion rule of the default list, with where the fact comes from.</summary>
/// <param name="Rule">A key prefix ('/registry/events/') or a namespace ('namespace:kube-system').</param>
/// <param name="Source">'doc' (vendor documentation) or 'assumed' (our judgement; override with -Exclude).</param>
/// <param name="Reason">Why keys under it differ between the two clusters by nature.</param>
public sealed record ExclusionRule(string Rule, string Source, string Reason)
{
    public override string ToString() => $"{Rule} [{Source}: {Reason}]";
}

/// <summary>
/// THE place of the keys Compare-EtcdKeyspace skips by default: keys that differ between the primary and the
/// standby by nature, so a difference there says nothing about the synchronizer. -Exclude replaces the list,
/// -ExcludeDefault:$false drops it, -Verbose prints it.
/// Rules are either a key prefix (starts with '/') or 'namespace:&lt;name&gt;', which skips every namespaced object
/// of that namespace under any resource (the namespace segment of the storage key, whatever the resource) and
/// the Namespace object itself.
/// </summary>
public static class EtcdExclusions
{
    /// <summary>Where kube-apiserver keeps its objects [doc: kube-apiserver --etcd-prefix, default "/registry"].</summary>
    public const string StorageRoot = "/registry/";

    public const string NamespacePrefix = "namespace:";

    private const string SyncDoc = "not synced by the etcd synchronizer (acp-docs docs/en/install/global_dr.mdx)";

    /// <summary>The default list. [doc] entries are published by the vendor; [assumed] entries are ours.</summary>
    public static IReadOnlyList<ExclusionRule> Default { get; } =
    [
        // [doc] The namespaces the synchronizer does not sync [doc release-4.3 install/global_dr.mdx "Notes"].
        new("namespace:cpaas-system", "doc", SyncDoc),
        new("namespace:cert-manager", "doc", SyncDoc),
        new("namespace:default", "doc", SyncDoc),
        new("namespace:global-credentials", "doc", SyncDoc),
        new("namespace:cpaas-system-global-credentials", "doc", SyncDoc),
        new("namespace:kube-ovn", "doc", SyncDoc),
        new("namespace:kube-public", "doc", SyncDoc),
        new("namespace:kube-system", "doc", SyncDoc),
        new("namespace:nsx-system", "doc", SyncDoc),
        new("namespace:cpaas-solution", "doc", SyncDoc),
        new("namespace:kube-node-lease", "doc", SyncDoc),
        new("namespace:kubevirt", "doc", SyncDoc),
        new("namespace:nativestor-system", "doc", SyncDoc),
        new("namespace:operators", "doc", SyncDoc),

        // [assumed] Keys each cluster writes for itself; the vendor does not publish the synchronizer's ignore list.
        new("/registry/events/", "assumed", "events are written by each cluster's own components and expire after an hour"),
        new("/registry/leases/", "assumed", "leader-election and heartbeat leases (coordination.k8s.io, stored without its group) belong to each cluster"),
        new("/registry/coordination.k8s.io/leases/", "assumed", "the same leases, should a build store them under their group"),
        new("/registry/masterleases/", "assumed", "kube-apiserver endpoint leases of each cluster's own control plane"),
        new("/registry/minions/", "assumed", "Node objects: each cluster has its own nodes"),
        new("/registry/csinodes/", "assumed", "CSINode objects, one per node of each cluster"),
        new("/registry/certificatesigningrequests/", "assumed", "kubelet CSRs of each cluster's own nodes"),
        new("/registry/ranges/", "assumed", "service IP and node port allocation bitmaps that each kube-apiserver repairs for itself"),
        // APIServices: each kube-apiserver registers the built-in group versions itself (autoregister) and the
        // aggregated servers' availability is per cluster (status.conditions), so the standby rewrites them; a
        // difference here is noise, and a missing aggregated API shows up as missing Deployments/Services anyway.
        new("/registry/apiregistration.k8s.io/apiservices/", "assumed", "registered by each kube-apiserver itself, with per-cluster availability"),
    ];

    /// <summary>The rules of <see cref="Default"/> as strings, as -Exclude takes them.</summary>
    public static IReadOnlyList<string> DefaultRules { get; } = Default.Select(r => r.Rule).ToArray();

    /// <summary>The rule with its source and reason when it is a default one, else the rule alone (for -Verbose).</summary>
    public static string Describe(string rule) =>
        Default.FirstOrDefault(r => string.Equals(r.Rule, rule, StringComparison.Ordinal))?.ToString() ?? $"{rule} [given]";
}

/// <summary>Decides, on the raw key bytes, whether a key is excluded. Immutable and thread-safe.</summary>
public sealed class EtcdKeyMatcher
{
    // Built-in resources whose storage path has two segments before the namespace [doc: Kubernetes
    // pkg/registry/core/service/storage ("services/specs") and endpoints ("services/endpoints")].
    private static readonly byte[][] TwoSegmentResources = [Encoding.UTF8.GetBytes("services/specs/"), Encoding.UTF8.GetBytes("services/endpoints/")];
    private static readonly byte[] Root = Encoding.UTF8.GetBytes(EtcdExclusions.StorageRoot);
    private static readonly byte[] NamespacesResource = Encoding.UTF8.GetBytes("namespaces");

    private readonly byte[][] prefixes;
    private readonly byte[][] namespaces;

    public EtcdKeyMatcher(IEnumerable<string> rules)
    {
        var prefixList = new List<byte[]>();
        var namespaceList = new List<byte[]>();
        foreach (var raw in rules)
        {
            var rule = raw.Trim();
            if (rule.StartsWith(EtcdExclusions.NamespacePrefix, StringComparison.OrdinalIgnoreCase))
            {
                var ns = rule[EtcdExclusions.NamespacePrefix.Length..].Trim();
                if (ns.Length == 0 || ns.Contains('/'))
                {
                    throw new ArgumentException($"'{raw}' is not an exclusion rule: after 'namespace:' comes a namespace name, e.g. 'namespace:kube-system'.", nameof(rules));
                }

                namespaceList.Add(Encoding.UTF8.GetBytes(ns));
            }
            else if (rule.StartsWith('/'))
            {
                prefixList.Add(Encoding.UTF8.GetBytes(rule));
            }
            else
            {
                throw new ArgumentException($"'{raw}' is not an exclusion rule: use a key prefix that starts with '/' (e.g. '/registry/events/') or 'namespace:<name>'.", nameof(rules));
            }
        }

        prefixes = prefixList.ToArray();
        namespaces = namespaceList.ToArray();
    }

    public bool IsEmpty => prefixes.Length == 0 && namespaces.Length == 0;

    /// <summary>The key prefixes of the rules, as bytes.</summary>
    internal IReadOnlyList<byte[]> Prefixes => prefixes;

    /// <summary>The namespaces of the 'namespace:' rules, as bytes.</summary>
    internal IReadOnlyList<byte[]> Namespaces => namespaces;

    /// <summary>
    /// The length of the key's resource part — "/registry/&lt;resource&gt;/", "/registry/&lt;group&gt;/&lt;resource&gt;/" or
    /// "/registry/services/specs/" — after which a namespaced key has its namespace (the shape <see cref="IsExcluded"/>
    /// reads); 0 when the key has no such part.
    /// </summary>
    internal static int ResourcePartLength(ReadOnlySpan<byte> key)
    {
        if (!key.StartsWith(Root))
        {
            return 0;
        }

        var rest = key[Root.Length..];
        var slash = rest.IndexOf((byte)'/');
        if (slash <= 0)
        {
            return 0;
        }

        if (rest[..slash].IndexOf((byte)'.') < 0)
        {
            foreach (var twoSegment in TwoSegmentResources)
            {
                if (rest.StartsWith(twoSegment))
                {
                    return Root.Length + twoSegment.Length;
                }
            }

            return Root.Length + slash + 1;
        }

        var resourceEnd = rest[(slash + 1)..].IndexOf((byte)'/');
        return resourceEnd > 0 ? Root.Length + slash + 1 + resourceEnd + 1 : 0;
    }

    public bool IsExcluded(ReadOnlySpan<byte> key)
    {
        foreach (var prefix in prefixes)
        {
            if (key.StartsWith(prefix))
            {
                return true;
            }
        }

        return namespaces.Length > 0 && IsInExcludedNamespace(key);
    }

    /// <summary>
    /// Storage keys are /registry/&lt;resource&gt;/[&lt;namespace&gt;/]&lt;name&gt; for built-in groups and
    /// /registry/&lt;group&gt;/&lt;resource&gt;/[&lt;namespace&gt;/]&lt;name&gt; otherwise; a group always has a dot, a
    /// resource never does. Names never contain '/', so a key with a segment between the resource and the name is
    /// namespaced and that segment is the namespace. /registry/namespaces/&lt;name&gt; is the Namespace itself.
    /// </summary>
    private bool IsInExcludedNamespace(ReadOnlySpan<byte> key)
    {
        if (!key.StartsWith(Root))
        {
            return false;
        }

        var rest = key[Root.Length..];
        var slash = rest.IndexOf((byte)'/');
        if (slash <= 0)
        {
            return false;
        }

        var first = rest[..slash];
        var hasGroup = first.IndexOf((byte)'.') >= 0;
        if (!hasGroup)
        {
            foreach (var twoSegment in TwoSegmentResources)
            {
                if (rest.StartsWith(twoSegment))
                {
                    return MatchNamespaceSegment(rest[twoSegment.Length..]);
                }
            }

            var afterResource = rest[(slash + 1)..];
            if (first.SequenceEqual(NamespacesResource) && afterResource.IndexOf((byte)'/') < 0)
            {
                return Contains(afterResource);
            }

            return MatchNamespaceSegment(afterResource);
        }

        var afterGroup = rest[(slash + 1)..];
        var resourceEnd = afterGroup.IndexOf((byte)'/');
        return resourceEnd > 0 && MatchNamespaceSegment(afterGroup[(resourceEnd + 1)..]);
    }

    /// <summary>Given "&lt;namespace&gt;/&lt;name&gt;" or "&lt;name&gt;", whether it is namespaced in an excluded namespace.</summary>
    private bool MatchNamespaceSegment(ReadOnlySpan<byte> tail)
    {
        var ns = NamespaceOf(tail);
        return !ns.IsEmpty && Contains(ns);
    }

    /// <summary>
    /// Given what follows a key's resource part, "&lt;namespace&gt;/&lt;name&gt;" or "&lt;name&gt;": the namespace, or
    /// nothing for a cluster-scoped key (names never contain '/').
    /// </summary>
    internal static ReadOnlySpan<byte> NamespaceOf(ReadOnlySpan<byte> tail)
    {
        var slash = tail.IndexOf((byte)'/');
        return slash > 0 ? tail[..slash] : [];
    }

    private bool Contains(ReadOnlySpan<byte> name)
    {
        foreach (var ns in namespaces)
        {
            if (name.SequenceEqual(ns))
            {
                return true;
            }
        }

        return false;
    }
}
