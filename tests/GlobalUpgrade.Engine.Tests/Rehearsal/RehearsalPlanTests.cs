using System.Collections;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Readiness;
using GlobalUpgrade.Rehearsal;
using Xunit;

namespace GlobalUpgrade.Tests.Rehearsal;

/// <summary>What a rehearsal reads of a snapshot, which runbook it runs with what, and where its run records go.</summary>
public sealed class RehearsalPlanTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("rehearsal-plan-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("""{"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[{"name":"a","role":"Primary"},{"name":"b","role":"Standby"}]}""", true, "primary,standby")]
    [InlineData("""{"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[{"name":"lone","role":"Standalone"}]}""", false, "global")]
    public void ASnapshotIsAPairOrOneCluster(string json, bool isDr, string contexts)
    {
        var snapshot = RehearsalSnapshot.Read(Write(json));
        Assert.Equal(isDr, snapshot.IsDr);
        Assert.Equal(contexts, string.Join(',', snapshot.Contexts.Select(c => c.Context)));
    }

    [Theory]
    [InlineData("apiVersion: v1", ErrorIds.RehearsalSnapshotInvalid, "not JSON")]
    [InlineData("""{"kind":"Config","clusters":[]}""", ErrorIds.RehearsalSnapshotInvalid, "not a snapshot")]
    [InlineData("""{"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[]}""", ErrorIds.RehearsalSnapshotInvalid, "holds 0 cluster")]
    [InlineData("""{"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[{"role":"Primary"},{"role":"Primary"}]}""", ErrorIds.RehearsalSnapshotInvalid, "a Primary and a Standby")]
    [InlineData("""{"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[{"role":"Primary"},{"role":"Standby"},{"role":"Standby"}]}""", ErrorIds.RehearsalSnapshotInvalid, "holds 3 cluster")]
    [InlineData("""{"kind":"GlobalClusterSnapshot","clusters":[{"role":"Standalone"}]}""", ErrorIds.SnapshotFormatUnsupported, "has no formatVersion; this module reads formatVersion 1 only")]
    [InlineData("""{"kind":"GlobalClusterSnapshot","formatVersion":2,"clusters":[{"role":"Standalone"}]}""", ErrorIds.SnapshotFormatUnsupported, "has formatVersion 2; this module reads formatVersion 1 only")]
    [InlineData("""{"kind":"GlobalClusterSnapshot","formatVersion":"1","clusters":[{"role":"Standalone"}]}""", ErrorIds.SnapshotFormatUnsupported, "has formatVersion \"1\"")]
    public void AFileThatIsNotARehearsableSnapshotIsInvalidData(string text, string errorId, string says)
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => RehearsalSnapshot.Read(Write(text)));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidData, ex.Category);
        Assert.Contains(says, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Newtonsoft", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingSnapshotIsNotFound()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => RehearsalSnapshot.Read(Path.Combine(folder, "none.json")));
        Assert.Equal(ErrorIds.RehearsalSnapshotNotFound, ex.ErrorId);
        Assert.Equal(FailureCategory.ObjectNotFound, ex.Category);
    }

    [Fact]
    public void APairWithoutAVipRunsTheDrRunbookWithAnUnroutedAddressAndSaysSo()
    {
        var snapshot = RehearsalSnapshot.Read(Write("""{"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[{"role":"Primary"},{"role":"Standby"}]}"""));
        var packages = new Dictionary<string, string> { ["primary"] = "/p", ["standby"] = "/s" };
        var plan = RehearsalPlan.Build(snapshot, "v4.3.2", packages, "/work", "/work/rehearsal.journal.json", null, null, 600);
        Assert.Equal("Invoke-GlobalDrUpgrade", plan.Runbook);
        var etcdSync = Assert.IsType<Hashtable>(plan.Parameters["EtcdSync"]);
        Assert.Equal(RehearsalPlan.AssumedActiveClusterVip, etcdSync["ActiveClusterVip"]);
        Assert.Equal(true, etcdSync["SkipEndpointCheck"]);
        Assert.Equal("/s", plan.Parameters["StandbyPackagePath"]);
        Assert.False(plan.Parameters.ContainsKey("StandbyVip"));
        // 4.3: the simulator keeps the snapshot's Kubernetes, so PostChecks' check of its upgrade is waived and said so.
        Assert.Equal(["StandInPackage", "KubernetesUpgradeNotRehearsed", "AssumedActiveClusterVip", "EtcdEndpointsNotChecked"], plan.Assumptions.Select(a => a.Code));
        Assert.Equal([ReadinessCheckNames.KubernetesVersionUpgraded], Assert.IsType<string[]>(plan.Parameters["SkipReadinessCheck"]));

        var given = RehearsalPlan.Build(snapshot, "v4.3.2", packages, "/work", "/work/rehearsal.journal.json", "10.0.1.10", new Hashtable { ["activeclustervip"] = "10.0.0.10" }, 600);
        Assert.Equal("10.0.0.10", ((Hashtable)given.Parameters["EtcdSync"]!)["ActiveClusterVip"]);
        Assert.DoesNotContain(given.Assumptions, a => a.Code == "AssumedActiveClusterVip");
    }

    [Fact]
    public void APairWithoutAVipConnectsItsSynchronizerToAControlPlaneNodeOfThePrimaryFromTheSnapshot()
    {
        var snapshot = RehearsalSnapshot.Read(Write("""
            {"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[
              {"role":"Primary","objects":[
                {"kind":"Machine","spec":{"role":"node","ip":"10.9.0.21"}},
                {"kind":"Machine","spec":{"role":"master","ip":"10.9.0.11"}}]},
              {"role":"Standby","objects":[{"kind":"Machine","spec":{"role":"master","ip":"10.9.1.11"}}]}]}
            """));
        Assert.Equal("10.9.0.11", snapshot.PrimaryControlPlaneAddress);
        var plan = RehearsalPlan.Build(snapshot, "v4.3.2", new Dictionary<string, string> { ["primary"] = "/p", ["standby"] = "/s" }, "/work", "/work/rehearsal.journal.json", null, null, 600);
        Assert.Equal("10.9.0.11", ((Hashtable)plan.Parameters["EtcdSync"]!)["ActiveClusterVip"]);
        Assert.Contains("10.9.0.11", Assert.Single(plan.Assumptions, a => a.Code == "AssumedActiveClusterVip").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneClusterRunsTheStandardRunbook()
    {
        var snapshot = RehearsalSnapshot.Read(Write("""{"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[{"role":"Standalone"}]}"""));
        var plan = RehearsalPlan.Build(snapshot, "v4.2.0", new Dictionary<string, string> { ["global"] = "/g" }, "/work", "/work/rehearsal.journal.json", null, null, 600);
        Assert.Equal("Invoke-GlobalUpgrade", plan.Runbook);
        Assert.Equal("/g", plan.Parameters["PackagePath"]);
        Assert.False(plan.Parameters.ContainsKey("SkipReadinessCheck"), "before 4.3 nothing is waived");
        // Journal and run folders in the rehearsal's folder: a rehearsal needs no root and touches no real run.
        Assert.Equal("/work/rehearsal.journal.json", plan.Parameters["JournalPath"]);
        Assert.Equal("/work/runs", plan.Parameters["RunRoot"]);
        Assert.False(plan.Parameters.ContainsKey("EtcdSync"));
    }

    [Fact]
    public void ARehearsalSessionKeepsItsRunRecordsInItsOwnFolderWithoutTouchingTheEnvironment()
    {
        var rehearsal = Guid.NewGuid();
        var operatorSession = Guid.NewGuid();
        var before = Environment.GetEnvironmentVariable(GlobalUpgrade.Session.StateFolder.Variable);
        var own = Path.Combine(folder, "state");
        using (GlobalUpgrade.Session.StateFolder.Assign(rehearsal, own))
        {
            Assert.Equal(own, GlobalUpgrade.Session.StateFolder.For(rehearsal));
            // Another session (the operator's own runspace) still sees the user's folder, and nothing process-wide changed.
            Assert.Equal(GlobalUpgrade.Session.StateFolder.OfUser(), GlobalUpgrade.Session.StateFolder.For(operatorSession));
            Assert.Equal(before, Environment.GetEnvironmentVariable(GlobalUpgrade.Session.StateFolder.Variable));
        }

        Assert.Equal(GlobalUpgrade.Session.StateFolder.OfUser(), GlobalUpgrade.Session.StateFolder.For(rehearsal));
    }

    private string Write(string text)
    {
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        return path;
    }
}
