using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>The Kubernetes objects of a running etcd synchronizer, shaped like the real ones.</summary>
internal static class EtcdSyncObjects
{
    private const string Ns = EtcdSyncNames.Namespace;

    public static JsonObject Labels() => new() { [EtcdSyncNames.PodLabelKey] = EtcdSyncNames.PodLabelValue };

    public static JsonObject Deployment(string version) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = EtcdSyncNames.Deployment, ["namespace"] = Ns, ["labels"] = Labels() },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = Labels() },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = Labels() },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(Container(version)) },
            },
        },
        ["status"] = new JsonObject { ["replicas"] = 1, ["updatedReplicas"] = 1, ["readyReplicas"] = 0, ["availableReplicas"] = 0 },
    };

    public static JsonObject Pod(string name, string version, string nodeName) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = Ns,
            ["labels"] = Labels(),
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "Deployment",
                ["name"] = EtcdSyncNames.Deployment,
                ["controller"] = true,
            }),
        },
        ["spec"] = new JsonObject { ["nodeName"] = nodeName, ["containers"] = new JsonArray(Container(version)) },
        ["status"] = new JsonObject
        {
            ["phase"] = "Pending",
            ["conditions"] = new JsonArray(Condition("PodScheduled", "True"), Condition("Ready", "False")),
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "etcd-sync",
                ["ready"] = false,
                ["restartCount"] = 0,
                ["started"] = false,
                ["image"] = Image(version),
                ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
            }),
        },
    };

    public static void MarkRunning(JsonObject pod, DateTimeOffset now)
    {
        var started = ObjectMeta.Timestamp(now);
        pod["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["podIP"] = "10.3.0." + Random.Shared.Next(2, 250),
            ["startTime"] = started,
            ["conditions"] = new JsonArray(Condition("Initialized", "True"), Condition("Ready", "True"), Condition("ContainersReady", "True"), Condition("PodScheduled", "True")),
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "etcd-sync",
                ["ready"] = true,
                ["restartCount"] = 0,
                ["started"] = true,
                ["image"] = pod["spec"]?["containers"]?[0]?["image"]?.DeepClone(),
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } },
            }),
        };
    }

    public static JsonObject MonitorService(int port) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = EtcdSyncNames.MonitorService, ["namespace"] = Ns, ["labels"] = Labels() },
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["clusterIP"] = "10.4.87." + Random.Shared.Next(2, 250),
            ["selector"] = Labels(),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port, ["targetPort"] = 8080, ["protocol"] = "TCP" }),
        },
        ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() },
    };

    public static JsonObject Lease(string holder, DateTimeOffset now, int transitions) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = EtcdSyncNames.Lease, ["namespace"] = Ns },
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = holder,
            ["leaseDurationSeconds"] = 15,
            ["acquireTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["renewTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["leaseTransitions"] = transitions,
        },
    };

    public static JsonObject BootstrapJob(string version) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "Job",
        ["metadata"] = new JsonObject { ["name"] = EtcdSyncNames.BootstrapJob, ["namespace"] = Ns, ["labels"] = Labels() },
        ["spec"] = new JsonObject
        {
            ["backoffLimit"] = 3,
            ["completions"] = 1,
            ["template"] = new JsonObject { ["spec"] = new JsonObject { ["restartPolicy"] = "Never", ["containers"] = new JsonArray(Container(version)) } },
        },
        ["status"] = new JsonObject { ["active"] = 1, ["startTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow) },
    };

    public static void MarkComplete(JsonObject job, DateTimeOffset now) => job["status"] = new JsonObject
    {
        ["succeeded"] = 1,
        ["startTime"] = job["status"]?["startTime"]?.DeepClone(),
        ["completionTime"] = ObjectMeta.Timestamp(now),
        ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Complete", ["status"] = "True", ["lastTransitionTime"] = ObjectMeta.Timestamp(now) }),
    };

    private static string Image(string version) => $"registry.alauda.cn:60080/acp/etcd-sync:{version}";

    private static JsonObject Container(string version) => new() { ["name"] = "etcd-sync", ["image"] = Image(version) };

    private static JsonObject Condition(string type, string status) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastTransitionTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow),
    };
}
