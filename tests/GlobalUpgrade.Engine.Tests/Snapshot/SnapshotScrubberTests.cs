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
    public void AnObjectKeepsWhatIdentifiesItEvenWhenItReadsLikeAToken()
    {
        // The platform names a ModuleInfo <cluster>-<32 hex>: as a value elsewhere that would be a token, as a name it
        // is how the object is told apart (two plugins of one cluster would otherwise load as one "[redacted]").
        var name = "global-3a4f5c6d7e8f90a1b2c3d4e5f6a7b8c9";
        Assert.True(SnapshotScrubber.LooksLikeToken(name));
        var moduleInfo = JsonNode.Parse("""
            {"apiVersion":"cluster.alauda.io/v1alpha1","kind":"ModuleInfo",
             "metadata":{"name":"NAME","uid":"NAME","labels":{"cpaas.io/module-name":"etcd-sync","example.io/hash":"NAME"},
                         "ownerReferences":[{"kind":"ModulePlugin","name":"NAME"}],"annotations":{"example.io/seen":"NAME"}},
             "spec":{"version":"v4.2.0","config":{"note":"NAME"}}}
            """.Replace("NAME", name, StringComparison.Ordinal))!.AsObject();
        var scrubbed = SnapshotScrubber.Scrub(moduleInfo);
        var metadata = scrubbed["metadata"]!;
        Assert.Equal(name, metadata["name"]!.GetValue<string>());
        Assert.Equal(name, metadata["uid"]!.GetValue<string>());
        Assert.Equal(name, metadata["labels"]!["example.io/hash"]!.GetValue<string>());
        Assert.Equal(name, metadata["ownerReferences"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(SnapshotScrubber.Redacted, metadata["annotations"]!["example.io/seen"]!.GetValue<string>());
        Assert.Equal(SnapshotScrubber.Redacted, scrubbed["spec"]!["config"]!["note"]!.GetValue<string>());
    }

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
