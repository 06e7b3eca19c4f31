namespace GlobalUpgrade.Simulator.Store;

/// <summary>One REST resource the simulator serves, e.g. <c>machines.platform.tkestack.io/v1</c>.</summary>
/// <param name="Group">API group; empty for the core group.</param>
/// <param name="Version">Storage version; objects are kept with this apiVersion.</param>
/// <param name="Resource">Plural REST name (unique across the simulator).</param>
/// <param name="ExtraVersions">Other served versions, converted by rewriting apiVersion only (the fields we write are the same).</param>
public sealed record ResourceType(
    string Group,
    string Version,
    string Resource,
    string Kind,
    bool Namespaced,
    string Singular,
    string[] ShortNames,
    bool HasStatus = true,
    string[]? ExtraVersions = null)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public bool IsCore => Group.Length == 0;

    /// <summary>Served by a CustomResourceDefinition (not a built-in group such as apps or coordination.k8s.io).</summary>
    public bool IsCustom => Group.Contains('.', StringComparison.Ordinal) && !Group.EndsWith(".k8s.io", StringComparison.Ordinal);

    /// <summary>The name used in API error messages: <c>pods</c> or <c>machines.platform.tkestack.io</c>.</summary>
    public string QualifiedResource => IsCore ? Resource : $"{Resource}.{Group}";

    public string ListKind => Kind + "List";

    public IEnumerable<string> ServedVersions => ExtraVersions is null ? [Version] : [Version, .. ExtraVersions];

    public string ApiVersionFor(string version) => Group.Length == 0 ? version : $"{Group}/{version}";

    /// <summary>The etcd key the real API server would store the object under.</summary>
    public string EtcdKey(string? ns, string name)
    {
        var prefix = IsCore ? $"/registry/{Resource}" : $"/registry/{Group}/{Resource}";
        return Namespaced ? $"{prefix}/{ns}/{name}" : $"{prefix}/{name}";
    }

    public override string ToString() => QualifiedResource;
}
