using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Scenarios;
using GlobalUpgrade.Simulator.Store;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>
/// Every field the simulator writes into the platform's custom resources exists in the real schemas under
/// <c>../shared/acp</c>. ClusterVersionShadow has no published schema: its fields follow docs/platform-versions.md and are not
/// checked here. Without the schema folder the tests skip, except under CI where they fail (AcpSchemaFactAttribute).
/// </summary>
public sealed class SchemaConformanceTests
{
    private static readonly HashSet<string> CheckedKinds = ["ProductBase", "Machine", "Cluster", "ModuleInfo", "ModulePlugin", "ModuleConfig", "ClusterModule"];

    [AcpSchemaFact]
    public async Task EveryWrittenCustomResourceFieldIsInTheRealSchema()
    {
        var acp = SchemaCatalog.FindAcpDirectory();
        Assert.True(Directory.Exists(acp), $"the platform schemas are missing: {acp}");
        var schemas = SchemaCatalog.Load(acp);

        var objects = new List<JsonObject>();
        foreach (var scenario in ScenarioLoader.Names())
        {
            await using var host = await SimHost.StartAsync(scenario);
            await DriveControllersAsync(host);
            objects.AddRange(host.Sim.Clusters.Values.SelectMany(c => c.Store.All()).Where(p => CheckedKinds.Contains(p.Type.Kind)).Select(p => p.Object));
        }

        Assert.Equal(CheckedKinds.Order(), objects.Select(o => o.Str("kind")!).Distinct().Order());
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var obj in objects)
        {
            var kind = obj.Str("kind")!;
            var type = ResourceTypes.FindByKind(obj.Str("apiVersion")!, kind)!;

            // The simulator serves some kinds in several versions by rewriting apiVersion only: each must fit.
            foreach (var apiVersion in type.ServedVersions.Select(type.ApiVersionFor))
            {
                Assert.True(schemas.Knows(apiVersion, kind), $"no schema for {apiVersion} {kind}");
                foreach (var path in LeafPaths(obj).Where(p => !p.StartsWith("metadata", StringComparison.Ordinal) && p is not ("apiVersion" or "kind")))
                {
                    if (!schemas.HasPath(apiVersion, kind, path))
                    {
                        missing.Add($"{apiVersion} {kind} {path}");
                    }
                }
            }
        }

        Assert.Empty(missing);
    }

    [AcpSchemaFact]
    public void TheCheckerRejectsAnUndeclaredField()
    {
        var schemas = SchemaCatalog.Load(SchemaCatalog.FindAcpDirectory());
        Assert.True(schemas.HasPath("platform.tkestack.io/v1", "Machine", "status.conditions[].reason"));
        Assert.True(schemas.HasPath("cluster.alauda.io/v1alpha1", "ClusterModule", "status.base.deployStatus"));
        Assert.False(schemas.HasPath("cluster.alauda.io/v1alpha1", "ClusterModule", "status.version"));
        Assert.False(schemas.HasPath("product.alauda.io/v1alpha1", "ProductBase", "status.bogus"));
    }

    // Makes the controllers write their status fields: an upgrade and a plugin install through the API.
    private static async Task DriveControllersAsync(SimHost host)
    {
        foreach (var cluster in host.Sim.Clusters.Values)
        {
            cluster.Store.Mutate("clustermodules", null, "global", o => o.Set("spec.version", "v9.9.9"));
            var info = GlobalUpgrade.Simulator.Controllers.Plugins.ModuleInfo("global", "some-plugin", "v1.0.0");
            info.Metadata()["name"] = "user-chosen-name";
            cluster.Store.Create("moduleinfoes", info, WriteMode.Api);
        }

        foreach (var cluster in host.Sim.Clusters.Values)
        {
            await WatchTests.WaitUntil(() => cluster.Store.Get("clustermodules", null, "global").Str("status.base.deployStatus") is "Completed" or "DeployFailed"
                && cluster.Store.List("moduleinfoes").Any(m => m.Labels().GetValueOrDefault("cpaas.io/module-name") == "some-plugin" && m.Str("status.phase") == "Running"));
        }
    }

    private static IEnumerable<string> LeafPaths(JsonNode? node, string prefix = "")
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (var (k, v) in o)
                {
                    foreach (var p in LeafPaths(v, prefix.Length == 0 ? k : $"{prefix}.{k}"))
                    {
                        yield return p;
                    }
                }

                break;
            case JsonArray a when a.Count > 0:
                foreach (var item in a)
                {
                    foreach (var p in LeafPaths(item, prefix + "[]"))
                    {
                        yield return p;
                    }
                }

                break;
            default:
                yield return prefix;
                break;
        }
    }
}
