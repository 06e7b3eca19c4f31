using System.Text.Json.Nodes;
using GlobalUpgrade.Platform.Objects;
using Xunit;

namespace GlobalUpgrade.Tests.Platform;

/// <summary>The typed views read what the server sends tolerantly and build the objects and patches the module writes.</summary>
public sealed class ObjectViewTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void AModuleInfosVersionIsWhatRunsElseWhatWasAskedFor()
    {
        var running = ModuleInfo.From(Parse("""{"metadata":{"name":"global-1a2b","labels":{"cpaas.io/module-name":"etcd-sync","cpaas.io/cluster-name":"global"}},"spec":{"version":"v4.3.1"},"status":{"version":"v4.3.0","phase":"Running"}}"""));
        Assert.Equal("v4.3.0", running.Version);
        Assert.Equal("etcd-sync", running.Module);
        Assert.Equal("global", running.ClusterName);
        Assert.True(running.IsRunning);
        Assert.Equal("etcd-sync [global-1a2b]", running.Describe());

        var asked = ModuleInfo.From(Parse("""{"metadata":{"name":"x","deletionTimestamp":"2026-01-01T00:00:00Z"},"spec":{"version":"v4.2.0"},"status":{"phase":"Running"}}"""));
        Assert.Equal("v4.2.0", asked.Version);
        Assert.Null(asked.StatusVersion);
        Assert.Equal("x", asked.Module);
        Assert.False(asked.IsRunning);
    }

    [Fact]
    public void AnObjectWithoutFieldsReadsAsEmptyNotAsAnError()
    {
        var info = ModuleInfo.From(new JsonObject());
        Assert.Equal("", info.Name);
        Assert.Null(info.Version);
        Assert.Empty(info.AvailableVersions);
        var pod = Pod.From(new JsonObject());
        Assert.False(pod.IsReady);
        Assert.Equal("pod : no phase, 0/1 ready", pod.Describe());
        Assert.Null(Lease.From(Parse("""{"spec":{"holderIdentity":""}}""")).Holder);
        Assert.Empty(ObjectList.From(null).Items);
    }

    [Fact]
    public void AModuleConfigPublishesItsSpecVersionElseItsVersionLabelAndDeclaresItsForm()
    {
        var config = ModuleConfig.From(Parse("""
            {"metadata":{"name":"etcd-sync-v4.3.1","labels":{"cpaas.io/module-name":"etcd-sync","cpaas.io/module-version":"v4.3.1"}},
             "spec":{"config":{"active":{"etcdEndpoints":[]},"debug":false},
                     "deployDescriptors":[{"displayName":"Active Global Cluster ETCD Endpoints","path":"active.etcdEndpoints"},{"path":"debug"}]}}
            """));
        Assert.Null(config.SpecVersion);
        Assert.Equal("v4.3.1", config.Version);
        Assert.Equal(new string?[] { "Active Global Cluster ETCD Endpoints", null }, config.Descriptors.Select(d => d.DisplayName));
        Assert.True(config.HoldsListAt("active.etcdEndpoints"));
        Assert.False(config.HoldsListAt("debug"));
        Assert.Equal(["active", "debug"], config.DeclaredKeys);

        var schema = ModuleConfig.From(Parse("""{"spec":{"version":"v4.1.0","config":{"properties":{"endpoints":{"type":"array"}}}}}"""));
        Assert.Equal("v4.1.0", schema.Version);
        Assert.True(schema.HoldsListAt("endpoints"));
        Assert.Equal(["endpoints"], schema.DeclaredKeys);
    }

    [Fact]
    public void ANewPluginModuleInfoCarriesTheLabelsItIsFoundBy()
    {
        var body = ModuleInfo.New("global-etcd-sync-", "etcd-sync", "global", "v4.3.1", new JsonObject { ["debug"] = true });
        var selector = AcpLabels.PluginSelector("etcd-sync", "global").Split(',').Select(s => s.Split('=')).ToList();
        var read = ModuleInfo.From(body);
        Assert.All(selector, kv => Assert.Equal(kv[1], read.Meta.Label(kv[0])));
        Assert.Equal("v4.3.1", read.SpecVersion);
        Assert.Equal("""{"spec":{"version":"v4.3.1","config":{"debug":true}}}""", ModuleInfo.SpecPatch("v4.3.1", new JsonObject { ["debug"] = true }).ToJsonString());
    }

    [Fact]
    public void AComponentPatchWritesOneNestedField()
    {
        Assert.Equal("""{"spec":{"desiredUpdate":{"version":"v4.3.1"}}}""", MergePatch.At("spec.desiredUpdate.version", "v4.3.1").ToJsonString());
        Assert.Equal("""{"version":"4.2.0"}""", MergePatch.At("version", "4.2.0").ToJsonString());
    }

    [Fact]
    public void RemovalsOfSeveralFormFieldsAreOneMergePatchOfNulls()
    {
        var patch = MergePatch.Both(MergePatch.Remove("spec.config.token"), MergePatch.Remove("spec.config.sync.activeToken"));
        Assert.Equal("""{"spec":{"config":{"token":null,"sync":{"activeToken":null}}}}""", patch.ToJsonString());
    }

    [Fact]
    public void AnOperatorsVersionIsItsClusterServiceVersionsSpecVersion()
    {
        var csv = ClusterServiceVersion.From(Parse("""{"metadata":{"name":"etcd-operator.v0.9.4","namespace":"operators"},"spec":{"version":"0.9.4"}}"""));
        Assert.Equal(("operators/etcd-operator.v0.9.4", "0.9.4"), (csv.Key, csv.Version));
        Assert.Null(ClusterServiceVersion.From(Parse("""{"metadata":{"name":"x"}}""")).Version);
    }

    [Fact]
    public void AJobIsCompleteByConditionOrBySucceededPodAndSaysWhyItFailed()
    {
        Assert.True(Job.From(Parse("""{"status":{"succeeded":1}}""")).IsComplete);
        Assert.True(Job.From(Parse("""{"status":{"conditions":[{"type":"Complete","status":"True"}]}}""")).IsComplete);
        var failed = Job.From(Parse("""{"status":{"failed":2,"conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"too many"}]}}"""));
        Assert.False(failed.IsComplete);
        Assert.True(failed.HasFailed);
        Assert.Equal("BackoffLimitExceeded: too many", failed.FailureMessage);
    }

    [Fact]
    public void AControlPlaneMachineIsAMasterOfTheNamedCluster()
    {
        var machine = Machine.From(Parse("""{"metadata":{"name":"m1"},"spec":{"clusterName":"global","role":"master","ip":"10.0.0.1"}}"""));
        Assert.True(machine.IsControlPlaneOf("global"));
        Assert.False(machine.IsControlPlaneOf("business-1"));
        Assert.Equal("10.0.0.1", machine.IP);
    }
}
