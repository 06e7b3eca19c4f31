namespace GlobalUpgrade.Simulator.Api;

/// <summary>How a strategic merge patch treats one field: lists merged by a key (or as a set of scalars), and the
/// type of the field's value (or of each list element) so nested fields find their own strategies.</summary>
internal sealed record FieldStrategy(string? Type, bool MergeList = false, string? MergeKey = null);

/// <summary>
/// The patch strategies of the built-in kinds the simulator serves, as the Kubernetes API Go types declare them in their
/// <c>patchStrategy</c>/<c>patchMergeKey</c> struct tags: k8s.io/apimachinery meta/v1 <c>ObjectMeta</c>; k8s.io/api
/// core/v1 <c>PodSpec</c>, <c>Container</c>, <c>EphemeralContainerCommon</c>, <c>PodStatus</c>, <c>ServiceSpec</c>,
/// <c>ServiceStatus</c>, <c>NamespaceStatus</c>; apps/v1 <c>DeploymentSpec</c>, <c>DeploymentStatus</c>; batch/v1
/// <c>JobSpec</c>, <c>JobStatus</c>. A field not listed here has no strategy: maps merge, lists are replaced.
/// (The <c>retainKeys</c> strategy needs no entry: a <c>$retainKeys</c> directive is honoured wherever it is sent.)
/// </summary>
internal static class PatchStrategies
{
    private static FieldStrategy Of(string type) => new(type);

    private static FieldStrategy By(string mergeKey, string? elementType = null) => new(elementType, MergeList: true, MergeKey: mergeKey);

    private static readonly FieldStrategy ScalarSet = new(null, MergeList: true);

    private static readonly Dictionary<string, FieldStrategy> MetadataOnly = new() { ["metadata"] = Of("ObjectMeta") };

    private static readonly Dictionary<string, Dictionary<string, FieldStrategy>> Types = new()
    {
        ["ObjectMeta"] = new() { ["finalizers"] = ScalarSet, ["ownerReferences"] = By("uid") },

        ["Pod"] = new() { ["metadata"] = Of("ObjectMeta"), ["spec"] = Of("PodSpec"), ["status"] = Of("PodStatus") },
        ["PodTemplateSpec"] = new() { ["metadata"] = Of("ObjectMeta"), ["spec"] = Of("PodSpec") },
        ["PodSpec"] = new()
        {
            ["volumes"] = By("name"),
            ["initContainers"] = By("name", "Container"),
            ["containers"] = By("name", "Container"),
            ["ephemeralContainers"] = By("name", "Container"),
            ["imagePullSecrets"] = By("name"),
            ["hostAliases"] = By("ip"),
            ["topologySpreadConstraints"] = By("topologyKey"),
            ["resourceClaims"] = By("name"),
            ["schedulingGates"] = By("name"),
        },
        ["Container"] = new()
        {
            ["ports"] = By("containerPort"),
            ["env"] = By("name"),
            ["volumeMounts"] = By("mountPath"),
            ["volumeDevices"] = By("devicePath"),
        },
        ["PodStatus"] = new() { ["conditions"] = By("type"), ["podIPs"] = By("ip"), ["hostIPs"] = By("ip") },

        ["Service"] = new() { ["metadata"] = Of("ObjectMeta"), ["spec"] = Of("ServiceSpec"), ["status"] = Of("ServiceStatus") },
        ["ServiceSpec"] = new() { ["ports"] = By("port") },
        ["ServiceStatus"] = new() { ["conditions"] = By("type") },

        ["Namespace"] = new() { ["metadata"] = Of("ObjectMeta"), ["status"] = Of("NamespaceStatus") },
        ["NamespaceStatus"] = new() { ["conditions"] = By("type") },

        ["Deployment"] = new() { ["metadata"] = Of("ObjectMeta"), ["spec"] = Of("DeploymentSpec"), ["status"] = Of("DeploymentStatus") },
        ["DeploymentSpec"] = new() { ["template"] = Of("PodTemplateSpec") },
        ["DeploymentStatus"] = new() { ["conditions"] = By("type") },

        ["Job"] = new() { ["metadata"] = Of("ObjectMeta"), ["spec"] = Of("JobSpec"), ["status"] = Of("JobStatus") },
        ["JobSpec"] = new() { ["template"] = Of("PodTemplateSpec") },
        ["JobStatus"] = new() { ["conditions"] = By("type") },

        ["Secret"] = MetadataOnly,
        ["ConfigMap"] = MetadataOnly,
        ["Lease"] = MetadataOnly,
    };

    /// <summary>The strategy of <paramref name="field"/> inside a value of <paramref name="type"/> (null: none).</summary>
    public static FieldStrategy? Field(string? type, string field) =>
        type is not null && Types.TryGetValue(type, out var fields) && fields.TryGetValue(field, out var s) ? s : null;
}
