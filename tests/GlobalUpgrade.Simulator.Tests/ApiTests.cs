using System.Globalization;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>The Kubernetes REST surface as the real KubernetesClient uses it.</summary>
public sealed class ApiTests : IAsyncLifetime
{
    private SimHost host = null!;

    public async Task InitializeAsync() => host = await SimHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task ListsMachinesThroughCustomObjects()
    {
        using var client = host.Client("primary");
        var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines");
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, items.Count);
        Assert.All(items, m => Assert.Equal("Running", m.GetProperty("status").GetProperty("phase").GetString()));
        Assert.Equal("MachineList", list.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task GetsAMachineThroughTheGenericClient()
    {
        using var client = host.Client("standby");
        using var generic = new GenericClient(client, "platform.tkestack.io", "v1", "machines", disposeClient: false);
        var machine = await generic.ReadAsync<Machine>("192.168.131.11");
        Assert.Equal("192.168.131.11", machine.Spec.Ip);
        Assert.Equal("master", machine.Spec.Role);
        Assert.Equal("Running", machine.Status.Phase);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => generic.ReadAsync<Machine>("nope"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        using var status = JsonDocument.Parse(missing.Response.Content);
        Assert.Equal("machines.platform.tkestack.io \"nope\" not found", status.RootElement.GetProperty("message").GetString());
        Assert.Equal("NotFound", status.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task VersionComesFromTheScenario()
    {
        using var client = host.Client("primary");
        var version = await client.Version.GetCodeAsync();
        Assert.Equal("v1.33.5", version.GitVersion);
        Assert.Equal("33", version.Minor);
    }

    [Fact]
    public async Task WrongTokenIs401AndReadonlyTokenIs403()
    {
        using var http = host.Http("primary", token: host.Sim.Clusters["standby"].Token);
        var response = await http.GetAsync(new Uri("/api/v1/namespaces", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Status", status.RootElement.GetProperty("kind").GetString());
        Assert.Equal("Unauthorized", status.RootElement.GetProperty("reason").GetString());

        using var readonlyClient = host.Client("primary-readonly");
        var forbidden = await Assert.ThrowsAsync<HttpOperationException>(() => readonlyClient.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Response.StatusCode);
    }

    [Fact]
    public async Task PagesWithLimitAndContinue()
    {
        using var client = host.Client("primary");
        for (var i = 0; i < 7; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"page-{i}", Labels = new Dictionary<string, string> { ["paged"] = "yes" } } }, "app2");
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync("app2", labelSelector: "paged=yes", limit: 3, continueParameter: token);
            names.AddRange(page.Items.Select(c => c.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"page-{i}"), names);

        // A continue token from before a compaction is too old, as on a real API server.
        var first = await client.CoreV1.ListNamespacedConfigMapAsync("app2", limit: 2);
        host.Sim.Clusters["primary"].Store.Compact();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after-compaction" } }, "app2");
        host.Sim.Clusters["primary"].Store.Compact();
        var expired = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync("app2", limit: 2, continueParameter: first.Metadata.ContinueProperty));
        Assert.Equal(HttpStatusCode.Gone, expired.Response.StatusCode);
    }

    [Fact]
    public async Task LabelAndFieldSelectorsFilter()
    {
        using var client = host.Client("primary");
        var masters = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines", labelSelector: "node-role.kubernetes.io/master");
        Assert.Equal(3, masters.GetProperty("items").GetArrayLength());
        var notMasters = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines", labelSelector: "!node-role.kubernetes.io/master,platform.tkestack.io/cluster-name in (global,other)");
        Assert.Equal(1, notMasters.GetProperty("items").GetArrayLength());
        var byName = await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=foo");
        Assert.Equal("app1", Assert.Single(byName.Items).Metadata.NamespaceProperty);
        var notApp1 = await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=foo,metadata.namespace!=app1");
        Assert.Empty(notApp1.Items);
    }

    [Fact]
    public async Task MergeAndJsonPatchesApplyAndBumpResourceVersion()
    {
        using var client = host.Client("primary");
        var before = await client.CoreV1.ReadNamespacedConfigMapAsync("foo", "app1");
        var merged = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("{\"data\":{\"greeting\":null,\"color\":\"blue\"}}", V1Patch.PatchType.MergePatch), "foo", "app1");
        Assert.Equal(new Dictionary<string, string> { ["color"] = "blue" }, merged.Data);
        Assert.True(long.Parse(merged.Metadata.ResourceVersion, CultureInfo.InvariantCulture) > long.Parse(before.Metadata.ResourceVersion, CultureInfo.InvariantCulture));

        var jsonPatched = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("[{\"op\":\"test\",\"path\":\"/data/color\",\"value\":\"blue\"},{\"op\":\"add\",\"path\":\"/data/size\",\"value\":\"L\"},{\"op\":\"replace\",\"path\":\"/data/color\",\"value\":\"red\"}]", V1Patch.PatchType.JsonPatch), "foo", "app1");
        Assert.Equal("red", jsonPatched.Data["color"]);
        Assert.Equal("L", jsonPatched.Data["size"]);

        var failed = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("[{\"op\":\"test\",\"path\":\"/data/color\",\"value\":\"green\"}]", V1Patch.PatchType.JsonPatch), "foo", "app1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.Response.StatusCode);
    }

    [Fact]
    public async Task ReplaceWithAStaleResourceVersionConflicts()
    {
        using var client = host.Client("primary");
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("foo", "app1");
        cm.Data["x"] = "1";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "foo", "app1");
        cm.Data["x"] = "2";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "foo", "app1"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);

        var exists = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "foo" } }, "app1"));
        Assert.Equal(HttpStatusCode.Conflict, exists.Response.StatusCode);
        Assert.Contains("AlreadyExists", exists.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinalizersHoldADeletedObjectUntilRemoved()
    {
        using var client = host.Client("primary");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["sim.test/hold"] } }, "app1");
        await client.CoreV1.DeleteNamespacedConfigMapAsync("held", "app1");
        var held = await client.CoreV1.ReadNamespacedConfigMapAsync("held", "app1");
        Assert.NotNull(held.Metadata.DeletionTimestamp);

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "held", "app1");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("held", "app1"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task StatusSubresourceIsSeparateFromTheMainResource()
    {
        using var client = host.Client("standby");
        await client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("{\"status\":{\"phase\":\"Failed\"},\"metadata\":{\"labels\":{\"x\":\"y\"}}}", V1Patch.PatchType.MergePatch), "platform.tkestack.io", "v1", "machines", "192.168.131.11");
        var machine = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines", "192.168.131.11");
        Assert.Equal("Running", machine.GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal("y", machine.GetProperty("metadata").GetProperty("labels").GetProperty("x").GetString());

        await client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"phase\":\"Failed\"}}", V1Patch.PatchType.MergePatch), "platform.tkestack.io", "v1", "machines", "192.168.131.11");
        machine = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("platform.tkestack.io", "v1", "machines", "192.168.131.11");
        Assert.Equal("Failed", machine.GetProperty("status").GetProperty("phase").GetString());
    }

    [Fact]
    public async Task GenerateNameCreatesAUniqueName()
    {
        using var client = host.Client("primary");
        var created = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { GenerateName = "gen-" }, StringData = null, Data = new Dictionary<string, byte[]> { ["k"] = "v"u8.ToArray() } }, "app1");
        Assert.StartsWith("gen-", created.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal(9, created.Metadata.Name.Length);
    }
}
