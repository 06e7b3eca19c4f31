using System.Text.Json.Nodes;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using Xunit;

namespace GlobalUpgrade.Tests.Platform;

/// <summary>The documented etcd synchronizer facts of each version line.</summary>
public sealed class EtcdSyncLineTests
{
    [Theory]
    [InlineData("v3.16.2", "3.16", EtcdSyncKind.HelmRelease, EtcdSyncLeaderDetection.NotDocumented, false)]
    [InlineData("v3.18.1", "3.18", EtcdSyncKind.PrimaryPlugin, EtcdSyncLeaderDetection.NotDocumented, false)]
    [InlineData("v4.0.3", "4.0", EtcdSyncKind.StandbyPlugin, EtcdSyncLeaderDetection.FirstPodByName, false)]
    [InlineData("v4.1.0", "4.1", EtcdSyncKind.StandbyPlugin, EtcdSyncLeaderDetection.FirstPodByName, false)]
    [InlineData("v4.2.1", "4.2", EtcdSyncKind.StandbyPlugin, EtcdSyncLeaderDetection.FirstPodByName, false)]
    [InlineData("v4.3.0", "4.3.0", EtcdSyncKind.StandbyPlugin, EtcdSyncLeaderDetection.Lease, false)]
    [InlineData("v4.3.1", "4.3.1+", EtcdSyncKind.StandbyPlugin, EtcdSyncLeaderDetection.Lease, true)]
    [InlineData("v4.3.7-hotfix.1", "4.3.1+", EtcdSyncKind.StandbyPlugin, EtcdSyncLeaderDetection.Lease, true)]
    public void EachVersionBelongsToItsDocumentedLine(string version, string line, EtcdSyncKind kind, EtcdSyncLeaderDetection leader, bool v431)
    {
        var found = PlatformProfile.For(PlatformVersion.Parse(version)).EtcdSyncLine;
        Assert.Equal(line, found.Name);
        Assert.Equal(kind, found.Kind);
        Assert.Equal(leader, found.Leader);
        Assert.Equal(v431, found.HasBootstrapJob);
        Assert.Equal(v431, found.HasTokenSecret);
        Assert.Equal(v431, found.Form.Contains(EtcdSyncFormField.ActiveClusterVip));
        Assert.Equal(kind == EtcdSyncKind.StandbyPlugin, found.Form.Contains(EtcdSyncFormField.ActiveEtcdEndpoints));
        Assert.False(string.IsNullOrWhiteSpace(found.Source));
    }

    [Fact]
    public void TheLinesAreDistinctAndInOrder()
    {
        Assert.Equal(["3.16", "3.18", "4.0", "4.1", "4.2", "4.3.0", "4.3.1+", "4.4"], EtcdSyncLine.All.Select(l => l.Name));
    }

    [Fact]
    public void Before43TheLeaderIsTheFirstPodByNameThatIsNotTerminating()
    {
        static JsonObject Pod(string name, bool deleting = false) => new()
        {
            ["metadata"] = deleting ? new JsonObject { ["name"] = name, ["deletionTimestamp"] = "2026-01-01T00:00:00Z" } : new JsonObject { ["name"] = name },
        };

        var pods = new[] { Pod("etcd-sync-b"), Pod("etcd-sync-a", deleting: true), Pod("etcd-sync-c"), Pod("etcd-sync-B") };
        Assert.Equal("etcd-sync-B", EtcdSyncWaits.FirstPodByName(pods));
        Assert.Equal("etcd-sync-b", EtcdSyncWaits.FirstPodByName(pods, notPod: "etcd-sync-B"));
        Assert.Null(EtcdSyncWaits.FirstPodByName([Pod("x", deleting: true)]));
    }
}
