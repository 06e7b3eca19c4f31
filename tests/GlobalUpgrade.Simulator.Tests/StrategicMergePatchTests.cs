using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using k8s;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>
/// A strategic merge patch on a built-in kind is applied as the API server applies it: lists with a merge key merge
/// element by element, other lists are replaced, and the patch directives work (or are refused with 400).
/// </summary>
public sealed class StrategicMergePatchTests : IAsyncLifetime
{
    private const string PodPath = "/api/v1/namespaces/app1/pods/web";
    private const string DeploymentPath = "/apis/apps/v1/namespaces/app1/deployments/web";

    private SimHost host = null!;

    public async Task InitializeAsync()
    {
        host = await SimHost.StartAsync();
        Primary.Create("pods", Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"app1","finalizers":["a/one","b/two"],
              "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs1","uid":"u1"},{"apiVersion":"v1","kind":"ConfigMap","name":"c","uid":"u2"}]},
             "spec":{"containers":[{"name":"app","image":"app:1","env":[{"name":"MODE","value":"prod"},{"name":"LEVEL","value":"info"}]},{"name":"sidecar","image":"side:1"}]},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}]}}
            """));

        // A pod's spec is mostly immutable on a real server: the list merges are shown on a deployment's pod template.
        Primary.Create("deployments", Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"app1"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
              "template":{"metadata":{"labels":{"app":"web"}},"spec":{
              "containers":[
                {"name":"app","image":"app:1","args":["--a","--b"],
                 "env":[{"name":"MODE","value":"prod"},{"name":"LEVEL","value":"info"}],
                 "ports":[{"containerPort":80,"name":"http"},{"containerPort":443,"name":"https"}],
                 "volumeMounts":[{"name":"data","mountPath":"/data"},{"name":"cfg","mountPath":"/etc/cfg"}]},
                {"name":"sidecar","image":"side:1"}],
              "initContainers":[{"name":"init","image":"init:1"}],
              "volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","configMap":{"name":"c"}}],
              "imagePullSecrets":[{"name":"reg1"}],
              "tolerations":[{"key":"k1","operator":"Exists"},{"key":"k2","operator":"Exists"}],
              "nodeSelector":{"zone":"a","disk":"ssd"}}}}}
            """));
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private ObjectStore Primary => host.Sim.Clusters["primary"].Store;

    private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;

    private JsonObject StoredPod() => Primary.Get("pods", "app1", "web")!;

    /// <summary>A strategic merge patch of the web deployment's pod template spec.</summary>
    private Task<JsonObject> PatchTemplateAsync(string podSpec) =>
        PatchOkAsync(DeploymentPath, "{\"spec\":{\"template\":{\"spec\":" + podSpec + "}}}");

    private static JsonNode PodSpec(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!;

    private static JsonObject Container(JsonNode podSpec, string name) =>
        (JsonObject)podSpec["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;

    private static string[] Names(JsonNode? list, string key = "name") => list!.AsArray().Select(e => e![key]!.ToString()).ToArray();

    private static string[] Strings(JsonNode? list) => list!.AsArray().Select(e => e!.GetValue<string>()).ToArray();

    private async Task<HttpResponseMessage> PatchAsync(string path, string body, string contentType = "application/strategic-merge-patch+json")
    {
        using var http = host.Http("primary");
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(path, UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        return await http.SendAsync(request);
    }

    private async Task<JsonObject> PatchOkAsync(string path, string body)
    {
        using var response = await PatchAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return Parse(text);
    }

    [Fact]
    public async Task APodPatchedWithOneContainerKeepsItsOtherContainers()
    {
        using var client = host.Client("primary");
        var patched = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"spec":{"containers":[{"name":"sidecar","image":"side:2"}]}}""", V1Patch.PatchType.StrategicMergePatch), "web", "app1");

        Assert.Equal(["app", "sidecar"], patched.Spec.Containers.Select(c => c.Name));
        Assert.Equal("side:2", patched.Spec.Containers[1].Image);
        Assert.Equal("app:1", patched.Spec.Containers[0].Image);
        Assert.Equal(["MODE", "LEVEL"], patched.Spec.Containers[0].Env.Select(e => e.Name));
    }

    [Fact]
    public async Task ADeploymentTemplatePatchedWithANewContainerAddsItAndKeepsTheOthers()
    {
        using var client = host.Client("primary");
        var patched = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"NEW","value":"2"}]},{"name":"proxy","image":"proxy:1"}]}}}}""",
            V1Patch.PatchType.StrategicMergePatch), "web", "app1");

        var containers = patched.Spec.Template.Spec.Containers;
        Assert.Equal(["app", "sidecar", "proxy"], containers.Select(c => c.Name));
        Assert.Equal("app:1", containers[0].Image);
        Assert.Equal(["MODE", "LEVEL", "NEW"], containers[0].Env.Select(e => e.Name));
    }

    [Fact]
    public async Task ContainerEnvPortsAndMountsMergeByTheirKeys()
    {
        var spec = PodSpec(await PatchTemplateAsync("""
            {"containers":[{"name":"app",
              "env":[{"name":"LEVEL","value":"debug"},{"name":"NEW","value":"x"}],
              "ports":[{"containerPort":443,"name":"tls"},{"containerPort":8080}],
              "volumeMounts":[{"mountPath":"/data","readOnly":true},{"name":"tmp","mountPath":"/tmp"}]}]}
            """));

        var app = Container(spec, "app");
        Assert.Equal(["MODE", "LEVEL", "NEW"], Names(app["env"]));
        Assert.Equal("debug", app["env"]![1]!["value"]!.GetValue<string>());
        Assert.Equal(["80", "443", "8080"], Names(app["ports"], "containerPort"));
        Assert.Equal("tls", app["ports"]![1]!["name"]!.GetValue<string>());
        Assert.Equal(["/data", "/etc/cfg", "/tmp"], Names(app["volumeMounts"], "mountPath"));
        Assert.Equal("data", app["volumeMounts"]![0]!["name"]!.GetValue<string>());
        Assert.True(app["volumeMounts"]![0]!["readOnly"]!.GetValue<bool>());
    }

    [Fact]
    public async Task VolumesInitContainersAndPullSecretsMergeByName()
    {
        var spec = PodSpec(await PatchTemplateAsync("""
            {"volumes":[{"name":"extra","emptyDir":{}}],"initContainers":[{"name":"migrate","image":"m:1"}],"imagePullSecrets":[{"name":"reg2"}]}
            """));

        Assert.Equal(["data", "cfg", "extra"], Names(spec["volumes"]));
        Assert.Equal(["init", "migrate"], Names(spec["initContainers"]));
        Assert.Equal(["reg1", "reg2"], Names(spec["imagePullSecrets"]));
    }

    [Fact]
    public async Task EphemeralContainersMergeByName()
    {
        await PatchOkAsync(PodPath, """{"spec":{"ephemeralContainers":[{"name":"debug1","image":"busybox"}]}}""");
        var pod = await PatchOkAsync(PodPath, """{"spec":{"ephemeralContainers":[{"name":"debug2","image":"busybox"}]}}""");
        Assert.Equal(["debug1", "debug2"], Names(pod["spec"]!["ephemeralContainers"]));
    }

    [Fact]
    public async Task ListsWithoutAMergeKeyAreReplaced()
    {
        var spec = PodSpec(await PatchTemplateAsync("""{"tolerations":[{"key":"k3","operator":"Exists"}],"containers":[{"name":"app","args":["--c"]}]}"""));

        Assert.Equal(["k3"], Names(spec["tolerations"], "key"));
        Assert.Equal(["--c"], Strings(Container(spec, "app")["args"]));
    }

    [Fact]
    public async Task ServicePortsMergeByPort()
    {
        Primary.Create("services", Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"svc","namespace":"app1"},
             "spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443}]}}
            """));
        using var client = host.Client("primary");
        var patched = await client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""{"spec":{"ports":[{"port":80,"targetPort":9090},{"name":"metrics","port":9100}]}}""", V1Patch.PatchType.StrategicMergePatch), "svc", "app1");

        Assert.Equal([80, 443, 9100], patched.Spec.Ports.Select(p => p.Port));
        Assert.Equal("http", patched.Spec.Ports[0].Name);
        Assert.Equal("9090", patched.Spec.Ports[0].TargetPort.Value);
    }

    [Fact]
    public async Task StatusConditionsMergeByType()
    {
        using var client = host.Client("primary");
        var patched = await client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch("""{"status":{"conditions":[{"type":"Ready","status":"False","reason":"Probe"},{"type":"PodScheduled","status":"True"}]}}""", V1Patch.PatchType.StrategicMergePatch), "web", "app1");

        Assert.Equal(["Ready", "Initialized", "PodScheduled"], patched.Status.Conditions.Select(c => c.Type));
        Assert.Equal("False", patched.Status.Conditions[0].Status);
        Assert.Equal("Probe", patched.Status.Conditions[0].Reason);
    }

    [Fact]
    public async Task OwnerReferencesMergeByUidAndFinalizersAsASet()
    {
        var pod = await PatchOkAsync(PodPath, """
            {"metadata":{"finalizers":["b/two","c/three"],"ownerReferences":[{"uid":"u2","name":"renamed"},{"apiVersion":"v1","kind":"Secret","name":"s","uid":"u3"}]}}
            """);

        Assert.Equal(["a/one", "b/two", "c/three"], Strings(pod["metadata"]!["finalizers"]));
        Assert.Equal(["rs1", "renamed", "s"], Names(pod["metadata"]!["ownerReferences"]));
        Assert.Equal("ConfigMap", pod["metadata"]!["ownerReferences"]![1]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchDeleteRemovesAListElementOrEmptiesAMap()
    {
        var spec = PodSpec(await PatchTemplateAsync("""
            {"containers":[{"name":"sidecar","$patch":"delete"},{"name":"app","env":[{"name":"MODE","$patch":"delete"}]}],"nodeSelector":{"$patch":"delete"}}
            """));

        Assert.Equal(["app"], Names(spec["containers"]));
        Assert.Equal(["LEVEL"], Names(Container(spec, "app")["env"]));
        Assert.Empty(spec["nodeSelector"]!.AsObject());
    }

    [Fact]
    public async Task PatchReplaceReplacesAListOrAMapWhole()
    {
        var spec = PodSpec(await PatchTemplateAsync("""
            {"volumes":[{"$patch":"replace"},{"name":"only","emptyDir":{}}],"nodeSelector":{"$patch":"replace","rack":"r1"}}
            """));

        Assert.Equal(["only"], Names(spec["volumes"]));
        Assert.Equal("""{"rack":"r1"}""", spec["nodeSelector"]!.ToJsonString());
    }

    [Fact]
    public async Task DeleteFromPrimitiveListRemovesTheNamedValues()
    {
        var pod = await PatchOkAsync(PodPath, """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a/one"]}}""");
        Assert.Equal(["b/two"], Strings(pod["metadata"]!["finalizers"]));
        Assert.DoesNotContain(pod["metadata"]!.AsObject(), p => p.Key.StartsWith('$'));
    }

    [Fact]
    public async Task SetElementOrderOrdersTheMergedList()
    {
        var spec = PodSpec(await PatchTemplateAsync("""
            {"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],"containers":[{"name":"sidecar","image":"side:3"}]}
            """));

        Assert.Equal(["sidecar", "app"], Names(spec["containers"]));
        Assert.Equal("side:3", Container(spec, "sidecar")["image"]!.GetValue<string>());
        Assert.DoesNotContain(spec.AsObject(), p => p.Key.StartsWith('$'));
    }

    [Fact]
    public async Task RetainKeysDropsTheKeysNotRetained()
    {
        var patched = await PatchOkAsync(DeploymentPath, """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""");
        Assert.Equal("""{"type":"Recreate"}""", patched["spec"]!["strategy"]!.ToJsonString());

        using var outside = await PatchAsync(DeploymentPath, """{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":2}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
    }

    [Fact]
    public async Task NullDeletesAKey()
    {
        var spec = PodSpec(await PatchTemplateAsync("""{"nodeSelector":{"disk":null}}"""));
        Assert.Equal("""{"zone":"a"}""", spec["nodeSelector"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"spec":{"$unknown":"x"}}""")]
    [InlineData("""{"metadata":{"labels":{"$patch":"merge"}}}""")]
    [InlineData("""{"spec":{"containers":[{"name":"app","$patch":"bogus"}]}}""")]
    [InlineData("""{"spec":{"containers":[{"image":"no-name"}]}}""")]
    [InlineData("""{"metadata":{"$deleteFromPrimitiveList/finalizers":"a/one"}}""")]
    [InlineData("""{"spec":{"$setElementOrder/containers":{"name":"app"}}}""")]
    [InlineData("""[{"op":"add","path":"/metadata/labels","value":{}}]""")]
    public async Task AMalformedOrUnknownDirectiveIs400AndChangesNothing(string patch)
    {
        var before = StoredPod();
        using var response = await PatchAsync(PodPath, patch);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Status", Parse(await response.Content.ReadAsStringAsync())["kind"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(before, StoredPod()));
    }

    [Fact]
    public async Task AMergePatchStillReplacesLists()
    {
        using var response = await PatchAsync(PodPath, """{"spec":{"containers":[{"name":"sidecar","image":"side:2"}]}}""", "application/merge-patch+json");
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(["sidecar"], Names(StoredPod()["spec"]!["containers"]));
    }

    [Fact]
    public async Task AStrategicMergePatchOnACustomResourceIsStill415()
    {
        using var response = await PatchAsync("/apis/platform.tkestack.io/v1/machines/192.168.130.21", """{"metadata":{"labels":{"x":"y"}}}""");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
