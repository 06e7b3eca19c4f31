using GlobalUpgrade.Rehearsal;
using GlobalUpgrade.Tests.Remote;
using Newtonsoft.Json.Linq;
using Xunit;

namespace GlobalUpgrade.Tests.Rehearsal;

/// <summary>
/// What a snapshot lacks for a rehearsal, judged by the engine from the file (the simulator only serves it): each
/// code is found when the snapshot lacks the thing and not when it holds it, and the acts asked of the simulator
/// are exactly those the findings report.
/// </summary>
public sealed class SnapshotFindingsTests : IDisposable
{
    private const string SynchronizerVersion = "v4.1.0";

    private readonly string folder = Directory.CreateTempSubdirectory("snapshot-findings-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ACompletePairLacksNothingForATargetOnItsSynchronizersLine()
    {
        var pair = Pair();
        Assert.Empty(Findings(pair, "v4.1.2"));
        Assert.Empty(Acts(pair, "v4.1.2"));
    }

    [Theory]
    [InlineData("ProductBase", "ProductBaseMissing", "no ProductBase base with status.version")]
    [InlineData("Cluster", "GlobalClusterMissing", "no clusters.platform.tkestack.io/global")]
    [InlineData("Machine", "NoMachines", "no Machines")]
    public void WhatEveryClusterMustHoldIsFoundMissingOnTheClusterThatLacksIt(string kind, string code, string says)
    {
        var pair = Pair();
        Assert.DoesNotContain(Findings(pair, "v4.1.2"), f => f.Code == code);

        var objects = (JArray)Entry(pair, "Standby")["objects"]!;
        foreach (var o in objects.Where(o => (string?)o["kind"] == kind).ToList())
        {
            o.Remove();
        }

        var found = Assert.Single(Findings(pair, "v4.1.2"), f => f.Code == code);
        Assert.Equal(("Snapshot", "standby"), (found.Source, found.Cluster));
        Assert.Contains(says, found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProductBaseWithoutAVersionIsMissing()
    {
        var pair = Pair();
        ((JObject)Objects(pair, "Primary", "ProductBase").Single()["status"]!).Remove("version");
        Assert.Equal("primary", Assert.Single(Findings(pair, "v4.1.2"), f => f.Code == "ProductBaseMissing").Cluster);
    }

    [Fact]
    public void WhatTheSourceDidNotServeIsSaid()
    {
        var pair = Pair();
        Entry(pair, "Primary")["notServed"] = new JArray("clusterversionshadows.config.alauda.io");
        var found = Assert.Single(Findings(pair, "v4.1.2"), f => f.Code == "NotServedOnSource");
        Assert.Equal("clusterversionshadows.config.alauda.io was not served by the source cluster", found.Message);
    }

    [Fact]
    public void AKindNeitherReadByTheModuleNorInTheDiscoveryDocumentsIsNotServed()
    {
        var pair = Pair();
        var objects = (JArray)Entry(pair, "Primary")["objects"]!;
        objects.Add(Object("example.io/v1", "Widget", "w"));
        var found = Assert.Single(Findings(pair, "v4.1.2"), f => f.Code == "KindNotServed");
        Assert.Equal("Widget w (example.io/v1) is not in the snapshot's discovery documents; it is not served", found.Message);

        Entry(pair, "Primary")["discovery"] = Discovery("example.io/v1", "widgets", "Widget");
        Assert.DoesNotContain(Findings(pair, "v4.1.2"), f => f.Code == "KindNotServed");
    }

    [Fact]
    public void AClusterVersionShadowAtAGroupTheDiscoveryDocumentsDoNotListIsServedAtTheDefaultOneAndSaidSo()
    {
        var pair = Pair();
        Entry(pair, "Standby")["clusterVersionShadow"] = new JObject { ["group"] = "upgrade.alauda.io", ["version"] = "v1beta1", ["plural"] = "clusterversionshadows" };
        var found = Assert.Single(Findings(pair, "v4.1.2"), f => f.Code == "KindNotServed");
        Assert.Equal("standby", found.Cluster);
        Assert.Contains("served at upgrade.alauda.io/v1beta1, but its discovery documents do not list it there; it is served at config.alauda.io/v1", found.Message, StringComparison.Ordinal);

        Entry(pair, "Standby")["discovery"] = Discovery("upgrade.alauda.io/v1beta1", "clusterversionshadows", "ClusterVersionShadow");
        Assert.DoesNotContain(Findings(pair, "v4.1.2"), f => f.Code == "KindNotServed");
    }

    [Fact]
    public void TheInstalledSynchronizersPodsArePlayedByTheSimulatorAndSaidSo()
    {
        var pair = Pair();
        var pod = Object("v1", "Pod", "etcd-sync-7c9d-x1", "cpaas-system");
        pod["metadata"]!["labels"] = new JObject { ["app"] = "etcd-sync" };
        ((JArray)Entry(pair, "Standby")["objects"]!).Add(pod);
        var found = Assert.Single(Findings(pair, "v4.1.2"), f => f.Code == "SynchronizerPodsReplaced");
        Assert.Contains("the synchronizer's pods etcd-sync-7c9d-x1 are played by the simulator's own pod", found.Message, StringComparison.Ordinal);

        // No synchronizer installed (no ModuleInfo of it): its pod is served as it is.
        foreach (var info in Objects(pair, "Standby", "ModuleInfo").ToList())
        {
            info.Remove();
        }

        Assert.DoesNotContain(Findings(pair, "v4.1.2"), f => f.Code == "SynchronizerPodsReplaced");
    }

    [Fact]
    public void SecretKeysWithoutValuesGetStandInsAndSaySo()
    {
        var pair = Pair();
        var secret = Object("v1", "Secret", "etcd-sync-active-cluster-token", "cpaas-system");
        secret["data"] = new JObject { ["token"] = "dG9rZW4=" };
        ((JArray)Entry(pair, "Standby")["objects"]!).Add(secret);
        Assert.DoesNotContain(Findings(pair, "v4.1.2"), f => f.Code == "SecretValuesStandIn");

        secret["data"]!["token"] = "";
        var found = Assert.Single(Findings(pair, "v4.1.2"), f => f.Code == "SecretValuesStandIn");
        Assert.Contains("stand-in values for cpaas-system/etcd-sync-active-cluster-token", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASynchronizerFormWithoutTheDocumentedLabelsIsSaid()
    {
        var pair = Pair();
        var config = Objects(pair, "Standby", "ModuleConfig").Single();
        config["spec"]!["version"] = "v4.3.1";
        config["spec"]!["deployDescriptors"] = Descriptors("Active Global Cluster ETCD Endpoints", "Data Check Interval", "Print detail logs");
        var found = Assert.Single(Findings(pair, "v4.3.2"), f => f.Code == "FormLabelsNotFound");
        Assert.Equal("standby", found.Cluster);
        Assert.Contains("lacks the documented labels 'Active Global Cluster VIP', 'Standby Cluster ETCD Endpoints', 'Active Global Cluster Token Secret'", found.Message, StringComparison.Ordinal);

        config["spec"]!["deployDescriptors"] = Descriptors("Active Global Cluster VIP", "Active Global Cluster ETCD Endpoints", "Standby Cluster ETCD Endpoints",
            "Active Global Cluster Token Secret", "Data Check Interval", "Print detail logs");
        Assert.DoesNotContain(Findings(pair, "v4.3.2"), f => f.Code == "FormLabelsNotFound");
    }

    [Fact]
    public void BeforeFourThreeASynchronizerNotPublishedForTheTargetsLineIsSaidAndNotPushed()
    {
        var pair = Pair();
        var found = Assert.Single(Findings(pair, "v4.2.0"), f => f.Code == "PluginVersionMissingForTarget");
        Assert.Equal("standby", found.Cluster);
        Assert.Contains("no ModuleConfig of plugin etcd-sync for v4.2.0 is in the snapshot (found: v4.1.0)", found.Message, StringComparison.Ordinal);
        Assert.Empty(Acts(pair, "v4.2.0"));

        Assert.DoesNotContain(Findings(pair, "v4.1.2"), f => f.Code == "PluginVersionMissingForTarget");
        Assert.DoesNotContain(Findings(One(), "v4.2.0"), f => f.Code == "PluginVersionMissingForTarget");
    }

    [Fact]
    public void FromFourThreeTheTargetsSynchronizerIsPushedToTheStandbyAsVioletWouldAndSaidSo()
    {
        var pair = Pair();
        var found = Assert.Single(Findings(pair, "v4.3.2"), f => f.Code == "TargetSynchronizerPushed");
        Assert.Equal("standby", found.Cluster);
        Assert.Contains("--dest-repo <standby VIP>:11443", found.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Findings(pair, "v4.3.2"), f => f.Code == "PluginVersionMissingForTarget");
        var act = Assert.Single(Acts(pair, "v4.3.2"));
        Assert.Equal(("standby", "/_sim/push-plugin", "etcd-sync", "v4.3.2"), (act.Cluster, act.Path, act.Body["module"], act.Body["version"]));

        // Before 4.3, or without a standby, nothing is pushed.
        Assert.DoesNotContain(Findings(pair, "v4.2.0"), f => f.Code == "TargetSynchronizerPushed");
        Assert.DoesNotContain(Findings(One(), "v4.3.2"), f => f.Code == "TargetSynchronizerPushed");
        Assert.Empty(Acts(One(), "v4.3.2"));
    }

    [Fact]
    public void AnOperatorThatDoesNotOfferTheTargetIsMadeToAndSaidSo()
    {
        var one = One();
        var cvsh = Object("config.alauda.io/v1", "ClusterVersionShadow", "global", "cpaas-system");
        cvsh["status"] = new JObject { ["availableUpdates"] = new JArray(new JObject { ["version"] = "4.3.1" }) };
        ((JArray)Entry(one, "Standalone")["objects"]!).Add(cvsh);
        var found = Assert.Single(Findings(one, "v4.3.2"), f => f.Code == "TargetNotOffered");
        Assert.Equal("global", found.Cluster);
        Assert.Contains("does not offer 4.3.2 (status.availableUpdates: 4.3.1)", found.Message, StringComparison.Ordinal);
        var act = Assert.Single(Acts(one, "v4.3.2"));
        Assert.Equal(("global", "/_sim/offer-target", "v4.3.2"), (act.Cluster, act.Path, act.Body["version"]));

        // Offered as the docs write it: nothing to say or do. Before 4.3 there is no operator to offer it.
        ((JArray)cvsh["status"]!["availableUpdates"]!).Add(new JObject { ["version"] = "4.3.2" });
        Assert.DoesNotContain(Findings(one, "v4.3.2"), f => f.Code == "TargetNotOffered");
        Assert.Empty(Acts(one, "v4.3.2"));
        cvsh["status"]!["availableUpdates"] = new JArray();
        Assert.DoesNotContain(Findings(one, "v4.2.0"), f => f.Code == "TargetNotOffered");

        // A snapshot without an operator: nothing to offer on.
        cvsh.Remove();
        Assert.DoesNotContain(Findings(one, "v4.3.2"), f => f.Code == "TargetNotOffered");
        Assert.Empty(Acts(one, "v4.3.2"));
    }

    [Fact]
    public void TheHandWrittenPairLacksItsDocumentedFormLabelsAndSecretValuesButServesEveryKind()
    {
        var snapshot = RehearsalSnapshot.Read(Path.Combine(TestPaths.Root, "tests/fixtures/snapshot/handwritten-pair.json"));
        var found = SnapshotFindings.Of(snapshot, "v4.3.2");
        Assert.DoesNotContain(found, f => f.Code is "KindNotServed" or "ProductBaseMissing" or "NoMachines" or "GlobalClusterMissing");
        Assert.Contains(found, f => f.Code == "FormLabelsNotFound" && f.Cluster == "standby" && f.Message.Contains("'Active Global Cluster VIP'", StringComparison.Ordinal));
        Assert.Contains(found, f => f.Code == "SecretValuesStandIn" && f.Message.Contains("etcd-sync-active-cluster-token", StringComparison.Ordinal));
        Assert.Equal(["primary", "standby"], found.Where(f => f.Code == "TargetNotOffered").Select(f => f.Cluster));
        Assert.Contains("does not offer 4.3.2 (status.availableUpdates: none)", found.First(f => f.Code == "TargetNotOffered").Message, StringComparison.Ordinal);
        Assert.Equal(["[primary] POST /_sim/offer-target version=v4.3.2", "[standby] POST /_sim/offer-target version=v4.3.2", "[standby] POST /_sim/push-plugin module=etcd-sync, version=v4.3.2"],
            SnapshotFindings.Acts(snapshot, "v4.3.2").Select(a => a.ToString()).Order(StringComparer.Ordinal));
    }

    private IReadOnlyList<RehearsalFinding> Findings(JObject document, string target) => SnapshotFindings.Of(Read(document), target);

    private IReadOnlyList<SimulatorAct> Acts(JObject document, string target) => SnapshotFindings.Acts(Read(document), target);

    private RehearsalSnapshot Read(JObject document)
    {
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, document.ToString());
        return RehearsalSnapshot.Read(path);
    }

    /// <summary>A DR pair holding everything a rehearsal reads: ProductBase, the global Cluster, a Machine, and on the standby the installed synchronizer (4.1) with its documented form.</summary>
    private static JObject Pair() => Snapshot(Cluster("dc-a", "Primary"), Cluster("dc-b", "Standby", Synchronizer()));

    private static JObject One() => Snapshot(Cluster("lone", "Standalone"));

    private static JObject Snapshot(params JObject[] clusters) => new()
    {
        ["kind"] = "GlobalClusterSnapshot",
        ["formatVersion"] = 1,
        ["clusters"] = new JArray(clusters),
    };

    private static JObject Cluster(string name, string role, params JObject[] more) => new()
    {
        ["name"] = name,
        ["role"] = role,
        ["platformVersion"] = "v4.1.0",
        ["notServed"] = new JArray(),
        ["discovery"] = new JObject { ["groups"] = new JArray(), ["resources"] = new JObject() },
        ["objects"] = new JArray(new[]
        {
            new JObject { ["apiVersion"] = "product.alauda.io/v1alpha2", ["kind"] = "ProductBase", ["metadata"] = new JObject { ["name"] = "base" }, ["status"] = new JObject { ["version"] = "v4.1.0" } },
            new JObject { ["apiVersion"] = "platform.tkestack.io/v1", ["kind"] = "Cluster", ["metadata"] = new JObject { ["name"] = "global" } },
            new JObject { ["apiVersion"] = "platform.tkestack.io/v1", ["kind"] = "Machine", ["metadata"] = new JObject { ["name"] = $"{name}-cp-1" }, ["spec"] = new JObject { ["role"] = "master", ["ip"] = "10.0.0.1" } },
        }.Concat(more)),
    };

    private static JObject[] Synchronizer() =>
    [
        new JObject
        {
            ["apiVersion"] = "cluster.alauda.io/v1alpha1",
            ["kind"] = "ModuleInfo",
            ["metadata"] = new JObject { ["name"] = "global-1a2b3c", ["labels"] = new JObject { ["cpaas.io/module-name"] = "etcd-sync" } },
        },
        new JObject
        {
            ["apiVersion"] = "cluster.alauda.io/v1alpha1",
            ["kind"] = "ModuleConfig",
            ["metadata"] = new JObject { ["name"] = $"etcd-sync-{SynchronizerVersion}", ["labels"] = new JObject { ["cpaas.io/module-name"] = "etcd-sync" } },
            ["spec"] = new JObject { ["version"] = SynchronizerVersion, ["deployDescriptors"] = Descriptors("Active Global Cluster ETCD Endpoints", "Data Check Interval", "Print detail logs") },
        },
    ];

    private static JObject Object(string apiVersion, string kind, string name, string? ns = null) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["metadata"] = ns is null ? new JObject { ["name"] = name } : new JObject { ["name"] = name, ["namespace"] = ns },
    };

    private static JArray Descriptors(params string[] labels) => new(labels.Select(l => new JObject { ["displayName"] = l }));

    private static JObject Discovery(string groupVersion, string plural, string kind) => new()
    {
        ["groups"] = new JArray(),
        ["resources"] = new JObject
        {
            [groupVersion] = new JObject { ["resources"] = new JArray(new JObject { ["name"] = plural, ["kind"] = kind, ["namespaced"] = true }, new JObject { ["name"] = plural + "/status", ["kind"] = kind }) },
        },
    };

    private static JObject Entry(JObject document, string role) => ((JArray)document["clusters"]!).OfType<JObject>().Single(c => (string?)c["role"] == role);

    private static IEnumerable<JObject> Objects(JObject document, string role, string kind) =>
        ((JArray)Entry(document, role)["objects"]!).OfType<JObject>().Where(o => (string?)o["kind"] == kind);
}
