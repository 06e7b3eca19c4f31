using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Controllers;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Scenarios;

/// <summary>Writes the objects a <see cref="ClusterScenario"/> describes into a fresh cluster store.</summary>
public static class ScenarioSeeder
{
    /// <summary>Namespaces every ACP global cluster has.</summary>
    public static readonly string[] PlatformNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease", "cpaas-system", "cert-manager", "global-credentials"];

    public static void Seed(SimCluster cluster)
    {
        var s = cluster.Scenario;
        var store = cluster.Store;
        var namespaces = PlatformNamespaces.Concat(s.Namespaces)
            .Concat(s.Objects.Concat(s.ExtraObjects).Select(o => o.Namespace()).OfType<string>())
            .Distinct();
        foreach (var ns in namespaces)
        {
            store.Upsert(ResourceTypes.Namespaces, Namespace(ns));
        }

        store.Upsert(ResourceTypes.ProductBases, ProductBase(s));
        if (s.IsGlobal)
        {
            store.Upsert(ResourceTypes.Clusters, GlobalCluster(s));
        }

        foreach (var m in s.Machines)
        {
            store.Upsert(ResourceTypes.Machines, Machine(m));
        }

        store.Upsert(ResourceTypes.ClusterModules, ClusterModule(s));
        store.Upsert(ResourceTypes.Secrets, Secret("cpaas-system", "k8sadmin", new() { ["token"] = s.K8sAdminToken ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) }));
        foreach (var p in s.Plugins)
        {
            store.Upsert(ResourceTypes.ModulePlugins, Plugins.ModulePlugin(p.ModuleName, p.DisplayName, p.Version));
            store.Upsert(ResourceTypes.ModuleConfigs, Plugins.ModuleConfig(p.ModuleName, p.Version));
            if (p.Installed)
            {
                var info = Plugins.ModuleInfo("global", p.ModuleName, p.Version);
                info.Set("status", new JsonObject { ["phase"] = p.Phase, ["version"] = p.Version });
                if (p.DisplayName.Length > 0)
                {
                    // The console's name of the plugin [schema: crds/cluster.alauda.io_moduleinfoes.yaml, printer column Display_Name].
                    info.Set("metadata.annotations", new JsonObject { ["cpaas.io/display-name"] = p.DisplayName });
                }
                if (p.Config is not null)
                {
                    info.Set("spec.config", p.Config.DeepClone());
                }

                store.Upsert(ResourceTypes.ModuleInfos, info);
            }
        }

        if (s.ClusterVersionShadow is { Version: { Length: > 0 } cvshVersion })
        {
            var cvsh = ClusterVersionShadowController.Seed(cvshVersion, s.ClusterVersionShadow.AvailableUpdates);
            WithPreflight(cvsh, s.ClusterVersionShadow.Preflight);
            store.Upsert(ResourceTypes.ClusterVersionShadows, cvsh);
        }

        if (s.EtcdSync.Variant == EtcdSyncVariants.Helm316)
        {
            EtcdSyncVariants.SeedHelm316(store);
        }

        foreach (var o in s.Objects.Concat(s.ExtraObjects))
        {
            var type = ResourceTypes.FindByKind(o.Str("apiVersion") ?? "", o.Str("kind") ?? "")
                ?? throw new InvalidDataException($"scenario object of unknown kind {o.Str("apiVersion")}/{o.Str("kind")}");
            store.Upsert(type, o);
        }
    }

    /// <summary>
    /// Links a DR pair as an installed 4.x synchronizer needs: its ModuleInfo's form filled at its line's paths (the
    /// primary's etcd endpoints; on 4.3.1+ also the VIP and the token secret), and on 4.3.1+ the standby's
    /// <c>etcd-sync-active-cluster-token</c> holding the primary's k8sadmin token.
    /// </summary>
    public static void LinkDrPair(SimCluster primary, SimCluster standby)
    {
        var plugin = standby.Scenario.Plugins.FirstOrDefault(p => p.ModuleName == EtcdSyncNames.ModuleName && p.Installed);
        if (plugin is null)
        {
            return;
        }

        var line = PlatformLine.For(plugin.Version);
        var vip = primary.Scenario.Vip;
        var values = new Dictionary<string, JsonNode?>
        {
            [PlatformLine.ActiveEtcdEndpoints] = $"https://{vip}:2379",
            [PlatformLine.ActiveClusterVip] = vip,
            [PlatformLine.ActiveClusterTokenSecret] = EtcdSyncNames.ActiveClusterTokenSecret,
        };
        var config = line.DefaultConfig();
        foreach (var field in line.Form.Where(f => values.ContainsKey(f.DisplayName)))
        {
            config.Set(field.Path, values[field.DisplayName]);
        }

        // A scenario's own settings stay (e.g. a legacy plain-token key, [doc master upgrade_global_cluster.mdx]).
        foreach (var (key, value) in plugin.Config ?? [])
        {
            config.Set(key, value?.DeepClone());
        }

        var name = Plugins.PlatformName("global", EtcdSyncNames.ModuleName);
        standby.Store.Mutate(ResourceTypes.ModuleInfos, null, name, o =>
        {
            o.Set("spec.config", config);
            return o;
        });
        var token = primary.Store.Get(ResourceTypes.Secrets, "cpaas-system", EtcdSyncNames.TokenSourceSecret).Str("data.token");
        if (line.RequiresActiveToken && token is not null)
        {
            standby.Store.Upsert(ResourceTypes.Secrets, Secret("cpaas-system", EtcdSyncNames.ActiveClusterTokenSecret,
                new() { ["token"] = Encoding.UTF8.GetString(Convert.FromBase64String(token)) }));
        }
    }

    /// <summary>A preflight the operator ran before the window: its checks in status.preflight, PreflightReady following them.</summary>
    private static void WithPreflight(JsonObject cvsh, List<PreflightCheckScenario> checks)
    {
        if (checks.Count == 0)
        {
            return;
        }

        cvsh.Set("status.preflight", new JsonObject
        {
            ["observedAt"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow.AddHours(-1)),
            ["checks"] = new JsonArray(checks.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["policy"] = c.Policy,
                ["state"] = c.State,
                ["reason"] = c.Reason,
                ["message"] = c.Message,
            }).ToArray()),
        });
        var blocking = checks.FirstOrDefault(c => c.State == "Failed") ?? checks.FirstOrDefault(c => c.State != "Passed");
        var ready = cvsh["status"]!["conditions"]!.AsArray().OfType<JsonObject>().First(c => c.Str("type") == "PreflightReady");
        ready["status"] = blocking is null ? "True" : "False";
        ready["reason"] = blocking is null ? "PreflightPassed" : blocking.State == "Failed" ? blocking.Reason : "PreflightRetrying";
        ready["message"] = blocking is null ? "" : $"check {blocking.Name} is {blocking.State}: {blocking.Message}";
    }

    public static JsonObject Namespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name } },
        ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
        ["status"] = new JsonObject { ["phase"] = "Active" },
    };

    public static JsonObject Secret(string ns, string name, Dictionary<string, string> data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["type"] = "Opaque",
        ["data"] = new JsonObject(data.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value))))),
    };

    private static JsonObject ProductBase(ClusterScenario s) => new()
    {
        ["apiVersion"] = ResourceTypes.ProductBases.ApiVersion,
        ["kind"] = "ProductBase",
        ["metadata"] = new JsonObject { ["name"] = Platform.ProductBaseName },
        ["spec"] = new JsonObject
        {
            ["platformURL"] = $"https://{s.Vip}",
            ["alternativeURLs"] = new JsonArray(s.AlternativeUrls.Select(u => (JsonNode)u.Replace("{vip}", s.Vip, StringComparison.Ordinal)).ToArray()),
        },
        ["status"] = new JsonObject { ["phase"] = "Running", ["version"] = s.PlatformVersion },
    };

    private static JsonObject GlobalCluster(ClusterScenario s) => new()
    {
        ["apiVersion"] = ResourceTypes.Clusters.ApiVersion,
        ["kind"] = "Cluster",
        ["metadata"] = new JsonObject { ["name"] = "global" },
        ["spec"] = new JsonObject { ["tenantID"] = "default", ["type"] = "Baremetal", ["version"] = s.KubernetesVersion.TrimStart('v') },
        ["status"] = new JsonObject { ["phase"] = "Running", ["version"] = s.KubernetesVersion.TrimStart('v') },
    };

    private static JsonObject Machine(MachineScenario m)
    {
        var status = new JsonObject
        {
            ["phase"] = m.Phase,
            ["addresses"] = new JsonArray(new JsonObject { ["type"] = "Real", ["address"] = m.Ip }),
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "EnsureHealth",
                ["status"] = m.Phase == "Running" ? "True" : "False",
                ["lastProbeTime"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow),
            }),
        };
        if (m.Reason is not null || m.Message is not null)
        {
            var condition = status["conditions"]![0]!.AsObject();
            condition["reason"] = m.Reason;
            condition["message"] = m.Message;
        }

        if (m.Reason is not null)
        {
            status["reason"] = m.Reason;
        }

        if (m.Message is not null)
        {
            status["message"] = m.Message;
        }

        return new JsonObject
        {
            ["apiVersion"] = ResourceTypes.Machines.ApiVersion,
            ["kind"] = "Machine",
            ["metadata"] = new JsonObject
            {
                ["name"] = m.Name,
                ["labels"] = new JsonObject { ["platform.tkestack.io/cluster-name"] = m.ClusterName, ["node-role.kubernetes.io/" + m.Role] = "" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterName"] = m.ClusterName,
                ["ip"] = m.Ip,
                ["role"] = m.Role,
                ["type"] = "Baremetal",
                ["port"] = 22,
                ["username"] = "root",
            },
            ["status"] = status,
        };
    }

    private static JsonObject ClusterModule(ClusterScenario s) => new()
    {
        ["apiVersion"] = ResourceTypes.ClusterModules.ApiVersion,
        ["kind"] = "ClusterModule",
        ["metadata"] = new JsonObject { ["name"] = "global" },
        ["spec"] = new JsonObject { ["version"] = string.IsNullOrEmpty(s.ClusterModule.Version) ? s.PlatformVersion : s.ClusterModule.Version },
        ["status"] = new JsonObject
        {
            ["base"] = new JsonObject
            {
                ["deployStatus"] = s.ClusterModule.DeployStatus,
                ["runningStatus"] = s.ClusterModule.RunningStatus,
                ["version"] = string.IsNullOrEmpty(s.ClusterModule.Version) ? s.PlatformVersion : s.ClusterModule.Version,
            },
            ["upgradable"] = false,
            ["needUpgrade"] = false,
        },
    };
}
