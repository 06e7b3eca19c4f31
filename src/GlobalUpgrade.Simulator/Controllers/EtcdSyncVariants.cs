using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Scenarios;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>The older synchronizers [doc release-4.0 upgrade/upgrade_global_cluster.mdx "Uninstall the etcd sync plugin", tabs "Upgrading from 3.16"/"3.18"], seeded as static objects.</summary>
public static class EtcdSyncVariants
{
    public const string None = "none";
    public const string Plugin = "plugin";
    public const string Plugin318 = "plugin-3.18";
    public const string Helm316 = "helm-3.16";

    /// <summary>3.16: Helm release etcd-sync, deployment kube-system/etcd-mirror-etcd-mirror and its certs/config in kube-system.</summary>
    public static void SeedHelm316(ObjectStore store)
    {
        store.Upsert(ResourceTypes.Secrets, ScenarioSeeder.Secret("kube-system", "etcd-master-mirror-cert", new() { ["ca.crt"] = "ca", ["tls.crt"] = "crt", ["tls.key"] = "key" }));
        store.Upsert(ResourceTypes.Secrets, ScenarioSeeder.Secret("kube-system", "etcd-slave-mirror-cert", new() { ["ca.crt"] = "ca", ["tls.crt"] = "crt", ["tls.key"] = "key" }));
        store.Upsert(ResourceTypes.ConfigMaps, ConfigMap("kube-system", "etcd-sync-env", new() { ["ACTIVE_ETCD_ENDPOINTS"] = "https://192.168.130.10:2379" }));
        store.Upsert(ResourceTypes.ConfigMaps, ConfigMap("kube-system", "etcd-sync-ignore-text", new() { ["ignore.txt"] = "/registry/leases/\n/registry/events/\n" }));
        foreach (var ns in new[] { "default", "cpaas-system" })
        {
            var release = ScenarioSeeder.Secret(ns, "sh.helm.release.v1.etcd-sync.v1", new() { ["release"] = "H4sIAAAAAAAA" });
            release["type"] = "helm.sh/release.v1";
            release.Metadata()["labels"] = new JsonObject { ["owner"] = "helm", ["name"] = "etcd-sync", ["status"] = "deployed", ["version"] = "1" };
            store.Upsert(ResourceTypes.Secrets, release);
        }

        var labels = new JsonObject { ["app"] = "etcd-mirror", ["release"] = "etcd-mirror" };
        store.Upsert(ResourceTypes.Deployments, new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "etcd-mirror-etcd-mirror", ["namespace"] = "kube-system", ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "etcd-mirror", ["image"] = "etcd-mirror:v3.16" }) },
                },
            },
            ["status"] = new JsonObject { ["replicas"] = 1, ["readyReplicas"] = 1, ["availableReplicas"] = 1 },
        });
    }

    private static JsonObject ConfigMap(string ns, string name, Dictionary<string, string> data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = new JsonObject(data.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
    };
}
