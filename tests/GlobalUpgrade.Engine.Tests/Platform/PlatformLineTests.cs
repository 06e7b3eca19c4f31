using GlobalUpgrade.Platform;
using Xunit;
using SimLine = GlobalUpgrade.Simulator.Controllers.PlatformLine;

namespace GlobalUpgrade.Tests.Platform;

/// <summary>
/// The engine's platform lines and the simulator's version lines are two copies of the docs; the tests drive one
/// against the other, so they must name the same versions and agree on what they both model.
/// </summary>
public sealed class PlatformLineTests
{
    [Fact]
    public void TheEngineAndTheSimulatorNameTheSameLinesInTheSameOrder()
    {
        Assert.Equal(SimLine.All.Select(l => l.Name), PlatformLine.All.Select(l => l.Name.TrimEnd('+')));
        Assert.Equal(PlatformLine.All.Select(l => l.First).Order(), PlatformLine.All.Select(l => l.First));
        Assert.Equal(PlatformLine.All.Count, PlatformLine.All.Select(l => l.First).Distinct().Count());
    }

    [Fact]
    public void EveryVersionBelongsToTheSameLineInBoth()
    {
        var versions =
            from major in Enumerable.Range(2, 4)
            from minor in Enumerable.Range(0, 21)
            from patch in Enumerable.Range(0, 4)
            select $"v{major}.{minor}.{patch}";
        foreach (var version in versions.Concat(["4.3", "v4.3.0-hotfix.2", "v4.3.1-rc.1", "v4.2.99"]))
        {
            var engine = PlatformLine.For(PlatformVersion.Parse(version));
            Assert.True(engine.Name.TrimEnd('+') == SimLine.For(version).Name, $"{version}: engine line {engine.Name}, simulator line {SimLine.For(version).Name}");
        }
    }

    [Fact]
    public void EachLineStartsAtItsFirstVersionAndOwnsItsSynchronizer()
    {
        foreach (var line in PlatformLine.All)
        {
            Assert.Same(line, PlatformLine.For(line.First));
            Assert.Equal(line.Name, line.EtcdSync.Name);
            Assert.Same(line.EtcdSync, EtcdSyncLine.For(line.First));
        }
    }

    [Fact]
    public void TheSimulatorModelsWhatTheEngineAsksOfEachLine()
    {
        foreach (var line in PlatformLine.All)
        {
            var sim = SimLine.For(line.First.Text);
            var sync = line.EtcdSync;
            Assert.Equal(sync.Kind == EtcdSyncKind.StandbyPlugin, sim.HasEtcdSyncPlugin);
            Assert.Equal(sync.Leader == EtcdSyncLeaderDetection.Lease, sim.HasLeaderLease);
            Assert.Equal(sync.HasBootstrapJob, sim.RunsBootstrapJob);
            Assert.Equal(sync.HasTokenSecret, sim.RequiresActiveToken);
            Assert.Equal(line.HasClusterVersionOperator, sim.HasClusterVersionOperator);
            Assert.Equal(line.HasAdminAckGates, sim.HasAdminAckGates);
            Assert.Equal(sync.Form.Select(EtcdSyncFormFields.Label), sim.Form.Select(f => f.DisplayName));
        }
    }

    [Theory]
    [InlineData("v3.16.2", "3.16", "primary", false, false)]
    [InlineData("v3.18.1", "3.18", "primary", false, false)]
    [InlineData("v4.0.3", "4.0", "standby", false, false)]
    [InlineData("v4.2.1", "4.2", "standby", false, false)]
    [InlineData("v4.3.0", "4.3.0", "standby", true, true)]
    [InlineData("v4.3.1", "4.3.1+", "standby", true, true)]
    [InlineData("v4.4.0", "4.4", "standby", true, true)]
    public void TheUpgradeFactsFollowTheLine(string version, string name, string host, bool cvo, bool secretCredentials)
    {
        var line = PlatformLine.For(PlatformVersion.Parse(version));
        Assert.Equal(name, line.Name);
        Assert.Equal(host, line.EtcdSync.Host.ToString().ToLowerInvariant());
        Assert.Equal(cvo ? ComponentUpgradeKind.ClusterVersionShadow : ComponentUpgradeKind.ClusterModule, line.ComponentUpgrade);
        Assert.Equal(cvo, line.HasPackagePreflight);
        Assert.Equal(cvo, line.HasSkipCheckArtifacts);
        Assert.Equal(secretCredentials, line.ReadsRegistryCredentialsFromSecret);
    }

    [Fact]
    public void FourFourIsTheMasterLineWithItsGateAndNodeReadiness()
    {
        var line = PlatformLine.For(PlatformVersion.Parse("v4.4.2"));
        Assert.Same(PlatformLine.V44, line);
        Assert.Same(PlatformLine.V44, PlatformLine.For(PlatformVersion.Parse("5.0.0")));
        Assert.True(line.HasAdminAckGates);
        var gate = Assert.Single(line.AdminGates);
        Assert.Equal("ack-4.4-kubernetes-1.35-kernel-update", gate.Name);
        Assert.Same(line.NodeReadiness, gate.NodeReadiness);
        Assert.Equal(35, line.NodeReadiness!.KubernetesMinor);
        Assert.Equal(new Version(5, 8), line.NodeReadiness.MinimumKernel);
        Assert.Equal("cgroup2fs", line.NodeReadiness.CgroupFileSystem);
        Assert.StartsWith("master ", line.NodeReadiness.Citation, StringComparison.Ordinal);

        // The 4.3 lines have neither: their preflight has no AdminAckRequired and no node check applies.
        foreach (var older in PlatformLine.All.Where(l => l != PlatformLine.V44))
        {
            Assert.False(older.HasAdminAckGates, older.Name);
            Assert.Empty(older.AdminGates);
            Assert.Null(older.NodeReadiness);
        }
    }

    [Fact]
    public void AnUpgradeToFourFourIsRefusedUntilTheDocsPublishAPathButAPatchWithinItIsNot()
    {
        Assert.False(UpgradePaths.IsSupported(PlatformVersion.Parse("v4.3.1"), PlatformVersion.Parse("4.4.0"), out var reason));
        Assert.Contains("no supported path to 4.4 is published yet", reason, StringComparison.Ordinal);
        Assert.Contains("Test-GlobalUpgradeReadiness -TargetVersion 4.4", reason, StringComparison.Ordinal);
        Assert.True(UpgradePaths.IsUnpublished("4.4"));
        Assert.False(UpgradePaths.IsUnpublished("4.3"));
        Assert.True(UpgradePaths.IsSupported(PlatformVersion.Parse("v4.4.0"), PlatformVersion.Parse("4.4.1"), out _));
    }
}
