using System.Text.Json.Nodes;
using GlobalUpgrade.Snapshot;
using Xunit;

namespace GlobalUpgrade.Tests.Snapshot;

public sealed class SnapshotScrubberTests
{
    [Fact]
    public void ASecretKeepsItsKeysAndLosesItsValues()
    {
        var secret = JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"k8sadmin","namespace":"cpaas-system"},"data":{"token":"c2VjcmV0LXZhbHVl","ca.crt":"Y2E="},"stringData":{"password":"hunter2"}}""")!.AsObject();
        var scrubbed = SnapshotScrubber.Scrub(secret);
        Assert.Equal("""{"token":"","ca.crt":""}""", scrubbed["data"]!.ToJsonString());
        Assert.Equal("""{"password":""}""", scrubbed["stringData"]!.ToJsonString());
        Assert.Equal("c2VjcmV0LXZhbHVl", secret["data"]!["token"]!.GetValue<string>()); // the source is not changed
    }

    [Theory]
    [InlineData("Bearer abc", true)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.sig", true)]
    [InlineData("token=3f9c2a7b41d8e6f0a5b2c9d8e7f6a5b4c3d2e1f0 in a note", true)]
    [InlineData("etcd-sync-active-cluster-token", false)]
    [InlineData("registry.example.com/acp/etcd-sync@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("Alauda Container Platform etcd Synchronizer", false)]
    [InlineData("10.20.0.11:2379,10.20.0.12:2379", false)]
    public void TellsTokensFromNamesAndAddresses(string value, bool token) => Assert.Equal(token, SnapshotScrubber.LooksLikeToken(value));

    [Fact]
    public void DropsWhatTheModuleNeverReadsAndRedactsTokensAnywhere()
    {
        var pod = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"etcd-sync-1","managedFields":[{"manager":"x"}],
             "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","note":"Bearer abc.def"}},
             "spec":{"nodeName":"n1","containers":[{"name":"etcd-sync","image":"img:1","env":[{"name":"TOKEN","value":"v"}],"args":["--x"]}],"volumes":[{"name":"v"}]},
             "status":{"phase":"Running"}}
            """)!.AsObject();
        var scrubbed = SnapshotScrubber.Scrub(pod);
        Assert.Null(scrubbed["metadata"]!["managedFields"]);
        Assert.Equal("""{"note":"[redacted]"}""", scrubbed["metadata"]!["annotations"]!.ToJsonString());
        Assert.Equal("""{"nodeName":"n1","containers":[{"name":"etcd-sync","image":"img:1"}]}""", scrubbed["spec"]!.ToJsonString());
        Assert.Equal("Running", scrubbed["status"]!["phase"]!.GetValue<string>());
    }
}
