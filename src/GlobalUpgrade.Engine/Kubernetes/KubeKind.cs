using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Platform;
using k8s;
using k8s.Autorest;
using k8s.Models;

// WatchAsync<T, L> over a list call is the one watch entry point generic over kinds (we read every kind as JSON);
// the typed WatchList*Async replacements fix T to the kind's model.
#pragma warning disable CS0618

namespace GlobalUpgrade.Kubernetes;

/// <summary>What a list or watch asks for: namespace, selectors, where to resume.</summary>
public sealed record ListArgs(string? Namespace, string? LabelSelector, string? FieldSelector, string? Continue = null, string? ResourceVersion = null, int? TimeoutSeconds = null);

/// <summary>
/// A kind of object the watcher can list and watch, as JSON: the core kinds the module waits on (pods, jobs, leases,
/// deployments, secrets, config maps) through their typed API, any custom resource through CustomObjects. The
/// watcher is the same for all of them; only these two calls differ.
/// </summary>
public sealed class KubeKind
{
    private KubeKind(
        string name,
        bool namespaced,
        Func<IKubernetes, ListArgs, CancellationToken, Task<JsonObject?>> list,
        Func<IKubernetes, ListArgs, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, JsonElement Object)>> watch)
    {
        Name = name;
        Namespaced = namespaced;
        List = list;
        Watch = watch;
    }

    /// <summary>How messages name the kind: "pods", "moduleinfoes.cluster.alauda.io".</summary>
    public string Name { get; }

    public bool Namespaced { get; }

    internal Func<IKubernetes, ListArgs, CancellationToken, Task<JsonObject?>> List { get; }

    internal Func<IKubernetes, ListArgs, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, JsonElement Object)>> Watch { get; }

    public static readonly KubeKind Pods = Core<V1PodList>("pods", (c, a, w, ct) =>
        c.CoreV1.ListNamespacedPodWithHttpMessagesAsync(a.Namespace, allowWatchBookmarks: w ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: w ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: w ? true : null, cancellationToken: ct));

    public static readonly KubeKind Jobs = Core<V1JobList>("jobs.batch", (c, a, w, ct) =>
        c.BatchV1.ListNamespacedJobWithHttpMessagesAsync(a.Namespace, allowWatchBookmarks: w ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: w ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: w ? true : null, cancellationToken: ct));

    public static readonly KubeKind Leases = Core<V1LeaseList>("leases.coordination.k8s.io", (c, a, w, ct) =>
        c.CoordinationV1.ListNamespacedLeaseWithHttpMessagesAsync(a.Namespace, allowWatchBookmarks: w ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: w ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: w ? true : null, cancellationToken: ct));

    public static readonly KubeKind Deployments = Core<V1DeploymentList>("deployments.apps", (c, a, w, ct) =>
        c.AppsV1.ListNamespacedDeploymentWithHttpMessagesAsync(a.Namespace, allowWatchBookmarks: w ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: w ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: w ? true : null, cancellationToken: ct));

    public static readonly KubeKind Services = Core<V1ServiceList>("services", (c, a, w, ct) =>
        c.CoreV1.ListNamespacedServiceWithHttpMessagesAsync(a.Namespace, allowWatchBookmarks: w ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: w ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: w ? true : null, cancellationToken: ct));

    public static readonly KubeKind Secrets = Core<V1SecretList>("secrets", (c, a, w, ct) =>
        c.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(a.Namespace, allowWatchBookmarks: w ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: w ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: w ? true : null, cancellationToken: ct));

    public static readonly KubeKind ConfigMaps = Core<V1ConfigMapList>("configmaps", (c, a, w, ct) =>
        c.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(a.Namespace, allowWatchBookmarks: w ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: w ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: w ? true : null, cancellationToken: ct));

    /// <summary>A custom resource (ModuleInfo, ClusterModule, ClusterVersionShadow, ...), cluster-scoped or namespaced.</summary>
    public static KubeKind Custom(AcpResource resource) => new(
        resource.ToString(),
        resource.Namespaced,
        async (c, a, ct) => ClusterConnection.ToJson((await CustomCall(c, resource, a, watch: false, ct).ConfigureAwait(false)).Body),
        (c, a, onError, ct) => Owned(CustomCall(c, resource, a, watch: true, ct), onError, ct));

    /// <summary>An ACP kind is described once (<see cref="AcpResource"/>), for reads and for watches alike.</summary>
    public static implicit operator KubeKind(AcpResource resource) => Custom(resource);

    public override string ToString() => Name;

    private static Task<HttpOperationResponse<object>> CustomCall(IKubernetes c, AcpResource r, ListArgs a, bool watch, CancellationToken ct) =>
        r.Namespaced && a.Namespace is not null
            ? c.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(r.Group, r.Version, a.Namespace, r.Plural, allowWatchBookmarks: watch ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: watch ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: watch ? true : null, cancellationToken: ct)
            : c.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(r.Group, r.Version, r.Plural, allowWatchBookmarks: watch ? true : null, continueParameter: a.Continue, fieldSelector: a.FieldSelector, labelSelector: a.LabelSelector, limit: watch ? null : 500, resourceVersion: a.ResourceVersion, timeoutSeconds: a.TimeoutSeconds, watch: watch ? true : null, cancellationToken: ct);

    // KubernetesClient leaves the watch's HTTP response open when the consumer stops early; the server would keep the
    // watch (and we the connection) until timeoutSeconds. Dispose it as soon as the enumeration ends.
    private static async IAsyncEnumerable<(WatchEventType Type, JsonElement Object)> Owned<TList>(Task<HttpOperationResponse<TList>> call, Action<Exception> onError, [EnumeratorCancellation] CancellationToken ct)
    {
        var response = await call.ConfigureAwait(false);
        try
        {
            await foreach (var item in Task.FromResult(response).WatchAsync<JsonElement, TList>(onError, ct).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            Close(response.Response);
        }
    }

    // KubernetesClient 21 wraps a watch's content in its internal LineSeparatedHttpContent, which does not dispose
    // the stream it reads from; disposing the response therefore leaves the connection (and the server's watch)
    // open. Close that stream too. ResourceWatcherTests.TheWatchConnectionIsClosedWhenTheWaitEnds guards it.
    internal static void Close(HttpResponseMessage? response)
    {
        if (response is null)
        {
            return;
        }

        var content = response.Content;
        if (content?.GetType().FullName == "k8s.LineSeparatedHttpContent")
        {
            const System.Reflection.BindingFlags Instance = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public;
            (content.GetType().GetProperty("StreamReader", Instance)?.GetValue(content) as IDisposable)?.Dispose();
            (content.GetType().GetField("_originStream", Instance)?.GetValue(content) as IDisposable)?.Dispose();
            (content.GetType().GetField("_originContent", Instance)?.GetValue(content) as IDisposable)?.Dispose();
        }

        response.Dispose();
    }

    private static KubeKind Core<TList>(string name, Func<IKubernetes, ListArgs, bool, CancellationToken, Task<HttpOperationResponse<TList>>> call) => new(
        name,
        namespaced: true,
        async (c, a, ct) =>
        {
            var response = await call(c, a, false, ct).ConfigureAwait(false);
            return JsonNode.Parse(KubernetesJson.Serialize(response.Body)) as JsonObject;
        },
        (c, a, onError, ct) => Owned(call(c, a, true, ct), onError, ct));
}
