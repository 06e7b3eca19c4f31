using System.Net;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Readiness;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// The two ConfigMaps of the administrator acknowledgement gates [doc master UGC "Handle administrator
/// acknowledgement gates"]: the release's gate definitions in cpaas-system/admin-gates (read only) and the
/// administrators' acknowledgements in cpaas-system/admin-acks (written as the docs' merge patch).
/// </summary>
public static class AdminGateConfigMaps
{
    public const string Namespace = "cpaas-system";
    public const string GatesName = "admin-gates";
    public const string AcksName = "admin-acks";

    /// <summary>The gates with their acknowledgements; null when the cluster has no admin-gates (no release with gates prepared yet).</summary>
    public static async Task<IReadOnlyList<AdminGate>?> ReadAsync(ClusterConnection cluster, ReadinessAssumptions assumptions, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"[{cluster.Name}] reading ConfigMaps {Namespace}/{GatesName} and {Namespace}/{AcksName}.");
        var gates = await ReadDataAsync(cluster, GatesName, cancellationToken).ConfigureAwait(false);
        if (gates is null)
        {
            return null;
        }

        var acks = await ReadDataAsync(cluster, AcksName, cancellationToken).ConfigureAwait(false);
        return AdminGate.From(gates, acks, assumptions);
    }

    /// <summary>
    /// Writes <c>{"data":{"&lt;gate&gt;":"true"}}</c> to admin-acks as the docs' merge patch (creating the ConfigMap
    /// when it is absent), with <paramref name="forcedNote"/> as an annotation when the prerequisite was overridden
    /// (the value and the annotation's key as <paramref name="assumptions"/> give them).
    /// </summary>
    public static Task AcknowledgeAsync(ClusterConnection cluster, string gate, string? forcedNote, ReadinessAssumptions assumptions, CancellationToken cancellationToken) =>
        cluster.CallAsync($"acknowledging {gate} in ConfigMap {Namespace}/{AcksName}", async (c, ct) =>
        {
            var annotations = forcedNote is null ? null : new Dictionary<string, string> { [assumptions.AdminGateForcedAnnotation(gate)] = forcedNote };
            var patch = new V1ConfigMap
            {
                Metadata = annotations is null ? null : new V1ObjectMeta { Annotations = annotations },
                Data = new Dictionary<string, string> { [gate] = assumptions.AdminGateAcknowledgedValue },
            };
            try
            {
                await c.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), AcksName, Namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                patch.ApiVersion = "v1";
                patch.Kind = "ConfigMap";
                patch.Metadata = new V1ObjectMeta { Name = AcksName, NamespaceProperty = Namespace, Annotations = annotations };
                await c.CoreV1.CreateNamespacedConfigMapAsync(patch, Namespace, cancellationToken: ct).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    private static Task<IReadOnlyDictionary<string, string>?> ReadDataAsync(ClusterConnection cluster, string name, CancellationToken cancellationToken) =>
        cluster.CallAsync($"reading ConfigMap {Namespace}/{name}", async (c, ct) =>
        {
            try
            {
                var map = await c.CoreV1.ReadNamespacedConfigMapAsync(name, Namespace, cancellationToken: ct).ConfigureAwait(false);
                return (IReadOnlyDictionary<string, string>?)(map.Data is null ? new Dictionary<string, string>() : new Dictionary<string, string>(map.Data));
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);
}
