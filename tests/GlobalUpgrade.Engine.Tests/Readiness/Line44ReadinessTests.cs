using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Readiness;
using GlobalUpgrade.Runbook;
using Xunit;

namespace GlobalUpgrade.Tests.Readiness;

/// <summary>Readiness toward 4.4 [doc master]: the Kubernetes 1.35 node checks and the administrator gates, judged from facts.</summary>
public sealed class Line44ReadinessTests
{
    private const string Gate = "ack-4.4-kubernetes-1.35-kernel-update";

    private static ReadinessFacts Facts(string to, Func<ReadinessFacts, ReadinessFacts>? change = null)
    {
        var facts = new ReadinessFacts
        {
            Cluster = "global",
            Target = PlatformVersion.Parse(to),
            RunningVersion = "v4.3.1",
            ManagedClusters = [new("global", "1.34.1")],
            EtcdBackupTasks = ["etcd-backup-default"],
            ControlPlaneNodes = ["10.0.0.1"],
            GlobalNodes = ["10.0.0.1", "10.0.0.9"],
            MinioSpace = [new("10.0.0.1", "/cpaas/minio", 500, null)],
            AdminGates = AdminGate.From(new Dictionary<string, string> { [Gate] = "kernel update" }, null),
        };
        return change is null ? facts : change(facts);
    }

    private static List<CheckResult> Judge(ReadinessFacts facts, string check) =>
        ReadinessConditions.Judge(facts).Where(r => r.Check == check).ToList();

    [Theory]
    [InlineData("5.15.0-91-generic", 5, 15)]
    [InlineData("6.1.0-18-amd64", 6, 1)]
    [InlineData("5.8", 5, 8)]
    [InlineData("4.18.0-553.el8_10.x86_64", 4, 18)]
    public void TheKernelReleaseIsReadAsNumbers(string release, int major, int minor) =>
        Assert.Equal(new Version(major, minor), NodeReadinessProbe.KernelVersion(release));

    [Fact]
    public void TheProbeOutputKeepsAnEmptyAnswerUnmeasured()
    {
        var both = NodeReadinessProbe.Parse("n1", "kernel=5.15.0-91-generic\ncgroup=cgroup2fs\n");
        Assert.Equal(("5.15.0-91-generic", "cgroup2fs", (string?)null), (both.Kernel, both.CgroupFileSystem, both.Error));
        var noStat = NodeReadinessProbe.Parse("n1", "kernel=6.1.0\ncgroup=\n");
        Assert.Equal(("6.1.0", (string?)null), (noStat.Kernel, noStat.CgroupFileSystem));
        Assert.NotNull(NodeReadinessProbe.Parse("n1", "garbage").Error);
        Assert.Null(NodeReadinessProbe.KernelVersion("Linux"));
    }

    [Fact]
    public void EveryMeasuredNodeIsJudgedOnKernelAndCgroup()
    {
        var facts = Facts("4.4", f => f with
        {
            NodeKernels = [new("10.0.0.1", "5.15.0-91-generic", "cgroup2fs", null), new("10.0.0.9", "5.4.0-150-generic", "tmpfs", null), new("10.0.0.10", "junk", null, null)],
        });
        var kernel = Judge(facts, ReadinessCheckNames.NodeKernelVersion);
        Assert.Equal([CheckState.Passed, CheckState.Failed, CheckState.NotChecked], kernel.Select(r => r.State));
        Assert.Equal("global/10.0.0.9", kernel[1].Target);
        var cgroup = Judge(facts, ReadinessCheckNames.NodeCgroupV2);
        Assert.Equal([CheckState.Passed, CheckState.Failed, CheckState.NotChecked], cgroup.Select(r => r.State));
        Assert.Contains("tmpfs", cgroup[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutNodeAccessEveryMachineOfTheGlobalClusterIsNotCheckedWithTheCommandToRun()
    {
        var kernel = Judge(Facts("4.4"), ReadinessCheckNames.NodeKernelVersion);
        Assert.Equal(["global/10.0.0.1", "global/10.0.0.9"], kernel.Select(r => r.Target));
        Assert.All(kernel, r => Assert.Equal(CheckState.NotChecked, r.State));
        Assert.All(kernel, r => Assert.Contains("uname -r", r.Message, StringComparison.Ordinal));
        Assert.All(Judge(Facts("4.4"), ReadinessCheckNames.NodeCgroupV2), r => Assert.Contains("stat -fc %T /sys/fs/cgroup/", r.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("4.3.2")]
    [InlineData("4.3")]
    public void TargetsBeforeFourFourHaveNoNodeChecksAndNoGates(string to)
    {
        var results = ReadinessConditions.Judge(Facts(to));
        Assert.DoesNotContain(results, r => r.Check is ReadinessCheckNames.NodeKernelVersion or ReadinessCheckNames.NodeCgroupV2 or ReadinessCheckNames.AdminGateAcknowledged);
        Assert.DoesNotContain(results, r => r.Check == ReadinessCheckNames.AdminAckRequired);
    }

    [Fact]
    public void AnOpenGateFailsSaysWhatItRequiresAndNamesTheCmdletAndAnAcknowledgedOnePasses()
    {
        var passing = Facts("4.4", f => f with { NodeKernels = [new("10.0.0.1", "6.1.0", "cgroup2fs", null), new("10.0.0.9", "5.8.0", "cgroup2fs", null)] });
        var open = Assert.Single(Judge(passing, ReadinessCheckNames.AdminGateAcknowledged));
        Assert.Equal(($"global/admin-gates/{Gate}", CheckState.Failed), (open.Target, open.State));
        Assert.Equal(true, open.Detail!["PrerequisiteMet"]);
        Assert.Contains("kernel 5.8 or later", (string)open.Detail["Requires"]!, StringComparison.Ordinal);
        Assert.Contains($"Approve-GlobalUpgradeGate -Name {Gate}", open.Message, StringComparison.Ordinal);

        var failing = passing with { NodeKernels = [new("10.0.0.1", "5.4.0", "cgroup2fs", null)] };
        Assert.Equal(false, Assert.Single(Judge(failing, ReadinessCheckNames.AdminGateAcknowledged)).Detail!["PrerequisiteMet"]);
        Assert.Null(Assert.Single(Judge(Facts("4.4"), ReadinessCheckNames.AdminGateAcknowledged)).Detail!["PrerequisiteMet"]);

        var acknowledged = passing with { AdminGates = AdminGate.From(new Dictionary<string, string> { [Gate] = "" }, new Dictionary<string, string> { [Gate] = "true" }) };
        Assert.Equal(CheckState.Passed, Assert.Single(Judge(acknowledged, ReadinessCheckNames.AdminGateAcknowledged)).State);
    }

    [Fact]
    public void AGateTheDocsDoNotNameHasNoCheckablePrerequisiteAndMissingGatesAreNotChecked()
    {
        var unknown = Facts("4.4", f => f with { AdminGates = AdminGate.From(new Dictionary<string, string> { ["ack-4.4-something-else"] = "read the notes" }, null) });
        var result = Assert.Single(Judge(unknown, ReadinessCheckNames.AdminGateAcknowledged));
        Assert.Equal(CheckState.Failed, result.State);
        Assert.Null(result.Detail!["PrerequisiteMet"]);
        Assert.Contains("read the notes", (string)result.Detail["Requires"]!, StringComparison.Ordinal);

        var none = Assert.Single(Judge(Facts("4.4", f => f with { AdminGates = null }), ReadinessCheckNames.AdminGateAcknowledged));
        Assert.Equal(CheckState.NotChecked, none.State);
        Assert.Contains(Gate, none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTrueAcknowledgesAGate()
    {
        var gates = AdminGate.From(
            new Dictionary<string, string> { ["b"] = "", ["a"] = "x", ["c"] = "" },
            new Dictionary<string, string> { ["a"] = "true", ["b"] = "false", ["d"] = "true" });
        Assert.Equal([("a", true), ("b", false), ("c", false)], gates.Select(g => (g.Name, g.Acknowledged)));
    }

    [Fact]
    public void FourFoursPreflightExpectsAdminAckRequiredAndReportsItMissing()
    {
        Assert.Equal(ReadinessCheckNames.AdminAckRequired, CvoPreflight.ChecksFor(PlatformLine.V44)[2]);
        Assert.DoesNotContain(ReadinessCheckNames.AdminAckRequired, CvoPreflight.ChecksFor(PlatformLine.V431));
        var missing = Judge(Facts("4.4"), ReadinessCheckNames.AdminAckRequired);
        Assert.Equal(CheckState.NotChecked, Assert.Single(missing).State);
    }

    [Fact]
    public void AnOpenGateCannotBeWaivedButOtherConditionsCan()
    {
        var open = Assert.Single(Judge(Facts("4.4"), ReadinessCheckNames.AdminGateAcknowledged));
        var kept = ReadinessGate.Waive(open, [ReadinessCheckNames.AdminGateAcknowledged]);
        Assert.True(ReadinessGate.Blocks(kept));
        Assert.Contains("does not apply", kept.Message, StringComparison.Ordinal);

        var kernel = ReadinessResult.Create(ReadinessCheckNames.NodeKernelVersion, "global/n1", CheckState.Failed, "5.8", "5.4", "old", "src");
        Assert.False(ReadinessGate.Blocks(ReadinessGate.Waive(kernel, [ReadinessCheckNames.NodeKernelVersion])));
    }

    [Fact]
    public void OneNamedNodeDoesNotStandForTheOtherMachines()
    {
        var named = new GlobalUpgrade.Remote.RemoteTarget { ComputerName = "10.0.0.1" };
        var missed = ReadinessChecker.NotReached(NodeAccess.Named, named, ["10.0.0.1", "10.0.0.9"]).ToList();
        Assert.Equal("10.0.0.9", Assert.Single(missed).Node);
        Assert.Empty(ReadinessChecker.NotReached(NodeAccess.ControlPlane, named, ["10.0.0.1", "10.0.0.9"]));

        var facts = Facts("4.4", f => f with { NodeKernels = [new("10.0.0.1:22", "6.1.0", "cgroup2fs", null), .. missed] });
        var gate = Assert.Single(Judge(facts, ReadinessCheckNames.AdminGateAcknowledged));
        Assert.Null(gate.Detail!["PrerequisiteMet"]);
        Assert.Contains("not reached", Judge(facts, ReadinessCheckNames.NodeKernelVersion)[1].Message, StringComparison.Ordinal);
    }
}
