using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>The 4.4 AdminAckRequired check [doc master UGC "Handle administrator acknowledgement gates"], as scenario readiness-admin-gate plays it.</summary>
public sealed class AdminAckTests
{
    private static string? AdminAckState(SimHost host) =>
        (host.Sim.Clusters["global"].Store.Get("clusterversionshadows", "cpaas-system", "global")?["status"]?["preflight"]?["checks"] as JsonArray)?
            .OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == "AdminAckRequired")?["state"]?.GetValue<string>();

    private static string? PreflightReady(SimHost host) =>
        (host.Sim.Clusters["global"].Store.Get("clusterversionshadows", "cpaas-system", "global")?["status"]?["conditions"] as JsonArray)?
            .OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == "PreflightReady")?["status"]?.GetValue<string>();

    [Fact]
    public async Task AdminAckRequiredFailsUntilEveryGateIsAcknowledgedTrue()
    {
        await using var host = await SimHost.StartAsync("readiness-admin-gate", dr: false);
        using var client = host.Client("global");
        Assert.Equal("Failed", AdminAckState(host));
        Assert.Equal("False", PreflightReady(host));

        // Anything but "true" does not acknowledge.
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"ack-4.4-kubernetes-1.35-kernel-update":"yes"}}""", V1Patch.PatchType.MergePatch), "admin-acks", "cpaas-system");
        await WatchTests.WaitUntil(() => host.Sim.Clusters["global"].Store.Get("configmaps", "cpaas-system", "admin-acks")?["data"]?["ack-4.4-kubernetes-1.35-kernel-update"] is not null);
        Assert.Equal("Failed", AdminAckState(host));

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"ack-4.4-kubernetes-1.35-kernel-update":"true"}}""", V1Patch.PatchType.MergePatch), "admin-acks", "cpaas-system");
        await WatchTests.WaitUntil(() => AdminAckState(host) == "Passed");
        Assert.Equal("True", PreflightReady(host));

        // A new gate of the release opens it again.
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"ack-4.4-another-gate":"read me"}}""", V1Patch.PatchType.MergePatch), "admin-gates", "cpaas-system");
        await WatchTests.WaitUntil(() => AdminAckState(host) == "Failed");
    }
}
