using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Runbook;
using GlobalUpgrade.Runbook.Steps;
using GlobalUpgrade.Upgrade;
using k8s;
using Xunit;

namespace GlobalUpgrade.Tests.Runbook;

/// <summary>The plan (-WhatIf, Get-GlobalUpgradePlan) and the run are one list of steps.</summary>
public sealed class RunbookDefinitionTests : IDisposable
{
    private readonly List<ClusterConnection> connections = [];

    public void Dispose() => connections.ForEach(c => c.Dispose());

    [Theory]
    [InlineData("v4.1.0", "v4.2.0")]
    [InlineData("v3.18.2", "v4.0.0")]
    public void TheDrPlanListsTheStepsTheRunnerRunsInTheirOrder(string source, string target)
    {
        var request = new RunbookRequest { Primary = Connect("east", ClusterRole.Primary), Standby = Connect("west", ClusterRole.Standby), PackagePath = "/pkg", TargetVersion = target };
        var run = UpgradeRunbooks.NewJournal(request, RunbookSession.StepsOf(request, source), source).Steps.Select(s => (s.Name, s.Cluster));

        var plan = UpgradeInspector.Plan([Facts("east", ClusterRole.Primary, source), Facts("west", ClusterRole.Standby, source)], target, "/pkg", null);

        Assert.Equal("DR", plan.Kind);
        Assert.Equal(run, plan.Steps.Select(s => (s.Name, s.Cluster)));
        Assert.Equal(Enumerable.Range(1, plan.Steps.Length), plan.Steps.Select(s => s.Order));
    }

    [Fact]
    public void TheStandardPlanListsTheStepsTheRunnerRuns()
    {
        var request = new RunbookRequest { Primary = Connect("global", ClusterRole.Standalone), PackagePath = "/pkg", TargetVersion = "v4.2.0" };
        var run = UpgradeRunbooks.NewJournal(request, RunbookSession.StepsOf(request, "v4.1.0"), "v4.1.0").Steps.Select(s => (s.Name, s.Cluster));

        var plan = UpgradeInspector.Plan([Facts("global", ClusterRole.Standalone, "v4.1.0")], "v4.2.0", "/pkg", null);

        Assert.Equal("Standard", plan.Kind);
        Assert.Equal(run, plan.Steps.Select(s => (s.Name, s.Cluster)));
        Assert.Equal([UpgradeSteps.Preflight, UpgradeSteps.ImageSync, UpgradeSteps.Upgrade, UpgradeSteps.PostChecks], run.Select(s => s.Name));
    }

    [Fact]
    public void WhereTheSynchronizerIsRemovedFollowsTheSourceVersion()
    {
        var fourX = UpgradeRunbooks.Define(RunbookShape.Dr("east", "west", PlatformProfile.For(PlatformVersion.Parse("v4.1.0"))));
        var threeX = UpgradeRunbooks.Define(RunbookShape.Dr("east", "west", PlatformProfile.For(PlatformVersion.Parse("v3.18.2"))));
        Assert.Equal("west", fourX.Single(s => s.Name == UpgradeSteps.UninstallEtcdSync).Cluster);
        Assert.Equal("east", threeX.Single(s => s.Name == UpgradeSteps.UninstallEtcdSync).Cluster);
    }

    [Fact]
    public void PauseBeforeAndEstimatesOfferEveryStepName()
    {
        var names = UpgradeRunbooks.Define(RunbookShape.Dr("p", "s", PlatformProfile.For(PlatformVersion.Parse("v4.1.0"))))
            .Concat(UpgradeRunbooks.Define(RunbookShape.Standard("g"))).Select(s => s.Name).Distinct().Order();
        Assert.Equal(names, UpgradeRunbooks.StepNames.Order());
        Assert.All(UpgradeRunbooks.StepNames, n => Assert.Contains(n, UpgradeSteps.EstimateNames));
    }

    [Fact]
    public void APlanLineSaysDoneWouldRunOrSkippedAndWhy()
    {
        var facts = new[] { Facts("east", ClusterRole.Primary, "v4.1.0", synced: true), Facts("west", ClusterRole.Standby, "v4.1.0") };
        var plan = UpgradeInspector.Plan(facts, "v4.2.0", "/pkg", null, new EtcdSyncOptions { SkipEndpointCheck = true });

        var ports = plan.Steps.Single(s => s.Name == UpgradeSteps.CheckEtcdPorts);
        Assert.False(ports.WouldRun);
        Assert.False(ports.AlreadyDone);
        Assert.Contains("SkipEndpointCheck", ports.Reason, StringComparison.Ordinal);
        Assert.True(plan.Steps.Single(s => s.Name == UpgradeSteps.ImageSync && s.Cluster == "east").AlreadyDone);
        Assert.True(plan.Steps.Single(s => s.Name == UpgradeSteps.ImageSync && s.Cluster == "west").WouldRun);
        Assert.Equal("done, because a successful image sync of /pkg is on record", new StepPlan(PlannedState.Done, "a successful image sync of /pkg is on record").ToString());
    }

    [Theory]
    [InlineData("10.0.1.10", null)]
    [InlineData(null, "v4.2.3")]
    public async Task PreflightValuesReadBackAsTheyWereKept(string? standbyVip, string? pluginVersion)
    {
        var folder = Directory.CreateTempSubdirectory("gu-values-").FullName;
        try
        {
            var request = new RunbookRequest { Primary = Connect("east", ClusterRole.Primary), Standby = Connect("west", ClusterRole.Standby), PackagePath = "/pkg", TargetVersion = "v4.2.0" };
            using var journal = RunbookJournal.Create(Path.Combine(folder, "j.json"), UpgradeRunbooks.NewJournal(request, RunbookSession.StepsOf(request, "v4.1.0"), "v4.1.0"));
            var kept = new RunbookValues(new Dictionary<string, string> { ["east"] = "v4.1.0", ["west"] = "v4.1.1" }, standbyVip, pluginVersion, "4.2");
            kept.Save(new StepContext(request, new GlobalUpgrade.Session.EngineContext(folder, new GlobalUpgrade.Platform.PlatformAssumptions()), journal, journal.Document.Steps[0], resumed: false));

            var later = new StepContext(request, new GlobalUpgrade.Session.EngineContext(folder, new GlobalUpgrade.Platform.PlatformAssumptions()), journal, journal.Document.Steps[^1], resumed: true);
            var read = await RunbookValues.ReadAsync(later, CancellationToken.None);

            Assert.Equal(kept.Versions, read.Versions);
            Assert.Equal(standbyVip, read.StandbyVip);
            Assert.Equal(pluginVersion, read.PluginVersion);
            Assert.Equal("4.2", read.PluginLine);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AStepsVerboseMessagesReachTheEngineContextsLog()
    {
        var folder = Directory.CreateTempSubdirectory("gu-log-").FullName;
        try
        {
            // No ambient log is installed: what arrives came through the context.
            var log = new RecordingLog();
            var engine = new GlobalUpgrade.Session.EngineContext(folder, new PlatformAssumptions(), log: log);
            var request = new RunbookRequest { Primary = Connect("east", ClusterRole.Primary), Standby = Connect("west", ClusterRole.Standby), PackagePath = "/pkg", TargetVersion = "v4.2.0" };
            var steps = RunbookSession.StepsOf(request, "v4.1.0");
            using var journal = RunbookJournal.Create(Path.Combine(folder, "j.json"), UpgradeRunbooks.NewJournal(request, steps, "v4.1.0"));

            // A step that needs Preflight's values before Preflight kept them says so, then asks the (unreachable) clusters.
            var context = new StepContext(request, engine, journal, journal.Document.Steps[^1], resumed: false);
            _ = await Assert.ThrowsAnyAsync<Exception>(() => RunbookValues.ReadAsync(context, CancellationToken.None));
            Assert.Contains("The journal has no values from Preflight; reading them from the clusters.", log.Messages);

            // The runner announces each step it runs on the same log (the step itself fails: no cluster answers).
            var runner = new RunbookRunner(request, engine, journal, steps);
            var records = await runner.RunGroupAsync(runner.Groups[0], CancellationToken.None);
            Assert.All(records, r => Assert.Contains($"Step {r.Name} [{r.Cluster}] starts.", log.Messages));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private ClusterConnection Connect(string name, ClusterRole role)
    {
        var server = new Uri($"https://{name}.invalid:6443");
        var connection = new ClusterConnection(
            new GlobalCluster { Name = name, Role = role, Context = name, Server = server, PlatformVersion = "v4.1.0", KubernetesVersion = "v1.31.4", Kubeconfig = "none" },
            new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.ToString() }),
            new ClusterEndpoint("none", name, server, name, "test"));
        connections.Add(connection);
        return connection;
    }

    private static UpgradeInspector.ClusterFacts Facts(string name, ClusterRole role, string version, bool synced = false)
    {
        var profile = ComponentUpgradeProfile.For(PlatformVersion.Parse("4.2"));
        var module = new JsonObject
        {
            ["spec"] = new JsonObject { ["version"] = version },
            ["status"] = new JsonObject { ["base"] = new JsonObject { ["version"] = version, ["deployStatus"] = "Completed", ["runningStatus"] = "Healthy" } },
        };
        return new UpgradeInspector.ClusterFacts(name, role, version, ComponentState.Read(module, profile), synced);
    }

    /// <summary>Records what the engine reports, as a cmdlet's log would receive it.</summary>
    private sealed class RecordingLog : GlobalUpgrade.Reporting.IOperationLog
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> messages = new();

        public IReadOnlyCollection<string> Messages => messages.ToArray();

        public void Verbose(string message) => messages.Enqueue(message);

        public void Debug(string message) => messages.Enqueue(message);

        public void Warning(string message) => messages.Enqueue(message);

        public void Progress(GlobalUpgrade.Reporting.OperationProgress progress)
        {
        }
    }
}
