using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>
/// Where a client would notice, the simulator answers as a real API server does rather than more kindly: pod logs
/// of waiting containers, selector transitions on resumed watches, field selectors, strategic merge patches on
/// custom resources, list snapshots, a bounded history, server-side tables.
/// </summary>
public sealed class RealServerAnswerTests : IAsyncLifetime
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private SimHost host = null!;

    public async Task InitializeAsync() => host = await SimHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    private ObjectStore Primary => host.Sim.Clusters["primary"].Store;

    private static JsonObject Pod(string name, JsonObject state, params string[] containers) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "app1" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(containers.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["image"] = "x" }).ToArray()) },
        ["status"] = new JsonObject
        {
            ["phase"] = state.ContainsKey("running") ? "Running" : "Pending",
            ["containerStatuses"] = new JsonArray(containers.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["ready"] = state.ContainsKey("running"), ["restartCount"] = 0, ["state"] = state.DeepClone() }).ToArray()),
        },
    };

    [Fact]
    public async Task TheLogOfAContainerWaitingToStartIs400UntilItRuns()
    {
        Primary.Create("pods", Pod("starting", new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } }, "main"));
        host.Sim.Clusters["primary"].Logs.Append("app1", "starting", "early line");
        using var client = host.Client("primary");

        var waiting = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodLogAsync("starting", "app1"));
        Assert.Equal(HttpStatusCode.BadRequest, waiting.Response.StatusCode);
        Assert.Contains("container \\\"main\\\" in pod \\\"starting\\\" is waiting to start: ContainerCreating", waiting.Response.Content, StringComparison.Ordinal);

        Primary.Mutate("pods", "app1", "starting", p => p["status"] = Pod("starting", new JsonObject { ["running"] = new JsonObject() }, "main")["status"]!.DeepClone());
        using var log = await client.CoreV1.ReadNamespacedPodLogAsync("starting", "app1");
        using var reader = new StreamReader(log);
        Assert.Equal("early line\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task APodWithSeveralContainersNeedsTheContainerNamedForItsLog()
    {
        Primary.Create("pods", Pod("two", new JsonObject { ["running"] = new JsonObject() }, "a", "b"));
        using var client = host.Client("primary");
        var unnamed = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodLogAsync("two", "app1"));
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.Response.StatusCode);
        Assert.Contains("a container name must be specified for pod two, choose one of: [a b]", unnamed.Response.Content, StringComparison.Ordinal);
        using var named = await client.CoreV1.ReadNamespacedPodLogAsync("two", "app1", container: "b");
        Assert.NotNull(named);
    }

    [Fact]
    public async Task AResumedWatchReportsObjectsEnteringAndLeavingTheSelector()
    {
        using var client = host.Client("primary");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "leaver", Labels = new Dictionary<string, string> { ["tier"] = "a" } } }, "app1");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "joiner" } }, "app1");
        var from = (await client.CoreV1.ListNamespacedConfigMapAsync("app1")).Metadata.ResourceVersion;

        // Both changes happen before the watch starts: it learns of them from the history only.
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"b\"}}}", V1Patch.PatchType.MergePatch), "leaver", "app1");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"a\"}}}", V1Patch.PatchType.MergePatch), "joiner", "app1");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"k\":\"v\"}}", V1Patch.PatchType.MergePatch), "joiner", "app1");

        var seen = new List<(WatchEventType, string, string?)>();
        await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync("app1", resourceVersion: from, labelSelector: "tier=a", timeoutSeconds: 1))
        {
            seen.Add((type, cm.Metadata.Name, cm.Metadata.Labels?["tier"]));
            if (seen.Count == 3)
            {
                break;
            }
        }

        // The object that left is reported with its last matching state.
        Assert.Equal([(WatchEventType.Deleted, "leaver", "a"), (WatchEventType.Added, "joiner", "a"), (WatchEventType.Modified, "joiner", "a")], seen);
    }

    [Fact]
    public async Task FieldSelectorsAreTheOnesTheKindSupports()
    {
        using var client = host.Client("primary");
        var custom = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines", fieldSelector: "status.phase!=Running"));
        Assert.Equal(HttpStatusCode.BadRequest, custom.Response.StatusCode);
        Assert.Contains("is not a known field selector: only \\\"metadata.name\\\", \\\"metadata.namespace\\\"", custom.Response.Content, StringComparison.Ordinal);
        var byName = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines", fieldSelector: "metadata.name=192.168.130.21");
        Assert.Equal(1, byName.GetProperty("items").GetArrayLength());

        var configMap = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync("app1", fieldSelector: "data.k=v"));
        Assert.Equal(HttpStatusCode.BadRequest, configMap.Response.StatusCode);
        Assert.Contains("field label not supported: data.k", configMap.Response.Content, StringComparison.Ordinal);

        Primary.Create("pods", Pod("phased", new JsonObject { ["running"] = new JsonObject() }, "main"));
        var running = await client.CoreV1.ListNamespacedPodAsync("app1", fieldSelector: "status.phase=Running");
        Assert.Equal("phased", Assert.Single(running.Items).Metadata.Name);

        // A watch refuses them the same way (an HTTP 400, before the stream starts).
        using var http = host.Http("primary");
        using var watch = await http.GetAsync(new Uri("/apis/platform.tkestack.io/v1/machines?watch=true&fieldSelector=status.phase%3DRunning", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, watch.StatusCode);
    }

    [Fact]
    public async Task AStrategicMergePatchOnACustomResourceIs415()
    {
        using var client = host.Client("primary");
        var patch = "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}";
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "platform.tkestack.io", "v1", "machines", "192.168.130.21"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.Response.StatusCode);
        Assert.Null(Primary.Get("machines", null, "192.168.130.21")!.Str("metadata.labels.x"));

        await client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "platform.tkestack.io", "v1", "machines", "192.168.130.21");
        Assert.Equal("y", Primary.Get("machines", null, "192.168.130.21")!["metadata"]!["labels"]!["x"]!.GetValue<string>());
        var builtIn = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "foo", "app1");
        Assert.Equal("y", builtIn.Metadata.Labels["x"]);
    }

    [Fact]
    public async Task TheNextPageOfAListComesFromTheFirstPagesSnapshot()
    {
        using var client = host.Client("primary");
        foreach (var name in new[] { "s1", "s2", "s3", "s4" })
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["v"] = "old" } }, "app2");
        }

        var first = await client.CoreV1.ListNamespacedConfigMapAsync("app2", limit: 2);
        var expected = (await client.CoreV1.ListNamespacedConfigMapAsync("app2")).Items.Select(c => c.Metadata.Name).ToList();

        // Between the pages: one object of the second page changes, one goes, one is new.
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"v\":\"new\"}}", V1Patch.PatchType.MergePatch), "s3", "app2");
        await client.CoreV1.DeleteNamespacedConfigMapAsync("s4", "app2");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "s5" } }, "app2");

        var names = first.Items.Select(c => c.Metadata.Name).ToList();
        var values = new Dictionary<string, string>();
        var token = first.Metadata.ContinueProperty;
        while (!string.IsNullOrEmpty(token))
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync("app2", limit: 2, continueParameter: token);
            Assert.Equal(first.Metadata.ResourceVersion, page.Metadata.ResourceVersion);
            names.AddRange(page.Items.Select(c => c.Metadata.Name));
            foreach (var c in page.Items.Where(c => c.Data is not null))
            {
                values[c.Metadata.Name] = c.Data["v"];
            }

            token = page.Metadata.ContinueProperty;
        }

        Assert.Equal(expected, names);
        Assert.Equal("old", values["s3"]);
        Assert.Contains("s4", names);
        Assert.DoesNotContain("s5", names);
    }

    [Fact]
    public async Task AShortWatchHistoryMakesAResumedWatch410()
    {
        using var http = host.Http("primary");
        using var client = host.Client("primary");
        var from = (await client.CoreV1.ListNamespacedConfigMapAsync("app1")).Metadata.ResourceVersion;
        using (var set = await http.PutAsync(new Uri("/_sim/watch-history", UriKind.Relative), new StringContent("{\"limit\":2}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        Assert.Equal(2, Primary.HistoryLimit);
        for (var i = 0; i < 3; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"churn-{i}" } }, "app2");
        }

        var body = await http.GetStringAsync(new Uri($"/api/v1/namespaces/app1/configmaps?watch=true&resourceVersion={from}", UriKind.Relative));
        var error = JsonNode.Parse(body.Split('\n')[0])!;
        Assert.Equal("ERROR", error.Str("type"));
        Assert.Equal("410", error.Str("object.code"));

        // Resuming from the newest resourceVersion still works.
        using var resumed = await http.GetAsync(new Uri($"/api/v1/namespaces/app2/configmaps?watch=true&timeoutSeconds=1&resourceVersion={Primary.ResourceVersion.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative));
        Assert.DoesNotContain("\"ERROR\"", await resumed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubectlTablesForPodsShowReadyStatusRestartsAndAge()
    {
        Primary.Create("pods", Pod("table-pod", new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ImagePullBackOff" } }, "main"));
        using var http = host.Http("primary");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/namespaces/app1/pods", UriKind.Relative));
        request.Headers.Accept.ParseAdd(TableAccept);
        using var response = await http.SendAsync(request);
        var table = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Table", table.Str("kind"));
        Assert.Equal("meta.k8s.io/v1", table.Str("apiVersion"));
        var columns = table["columnDefinitions"]!.AsArray().Where(c => c!["priority"]!.GetValue<int>() == 0).Select(c => c.Str("name")).ToList();
        Assert.Equal(["Name", "Ready", "Status", "Restarts", "Age"], columns);
        var row = table["rows"]!.AsArray().Single(r => r!["cells"]![0]!.GetValue<string>() == "table-pod")!;
        Assert.Equal(["table-pod", "0/1", "ImagePullBackOff", "0"], row["cells"]!.AsArray().Take(4).Select(c => c!.ToString()));
        Assert.Matches("^[0-9]+s$", row["cells"]![4]!.GetValue<string>());
        Assert.Equal("PartialObjectMetadata", row.Str("object.kind"));
    }

    [Fact]
    public async Task ModuleInfoTablesHaveTheCrdsPrinterColumns()
    {
        // The standby runs the installed etcd synchronizer plugin (its ModuleInfo is the platform's, driven by the controller).
        var standby = host.Sim.Clusters["standby"].Store;
        await WatchTests.WaitUntil(() => standby.List("moduleinfoes").Any(m => m.Str("status.phase") == "Running"));
        using var http = host.Http("standby");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/apis/cluster.alauda.io/v1alpha1/moduleinfoes", UriKind.Relative));
        request.Headers.Accept.ParseAdd(TableAccept);
        using var response = await http.SendAsync(request);
        var table = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(
            ["Name", "Cluster", "Module", "Display_Name", "Status", "Target_Version", "Current_Version", "New_Version"],
            table["columnDefinitions"]!.AsArray().Select(c => c.Str("name")));
        var module = standby.List("moduleinfoes").First(m => m.Str("status.phase") == "Running");
        var row = table["rows"]!.AsArray().Single(r => r!["cells"]![0]!.GetValue<string>() == module.Name())!;
        Assert.Equal(module["metadata"]!["labels"]!["cpaas.io/module-name"]!.GetValue<string>(), row["cells"]![2]!.GetValue<string>());
        Assert.Equal(module.Str("status.phase"), row["cells"]![4]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutTheTableAcceptHeaderAListIsAList()
    {
        using var http = host.Http("primary");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/namespaces/app1/pods", UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request);
        Assert.Equal("PodList", JsonNode.Parse(await response.Content.ReadAsStringAsync()).Str("kind"));
    }
}
