using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using Xunit;

namespace GlobalUpgrade.Tests.EtcdSync;

/// <summary>Install-EtcdSync's form: each field of the version's form found by its documented label, written at its path.</summary>
public sealed class EtcdSyncFormTests
{
    private static readonly Uri[] Active = [new("https://192.168.130.10:2379")];
    private static readonly Uri[] Standby = [new("https://192.168.131.10:2379"), new("https://192.168.131.11:2379")];

    private static EtcdSyncFormValues Values(int? interval = null, Dictionary<string, JsonNode?>? config = null) => new()
    {
        ActiveClusterVip = "192.168.130.10",
        ActiveEtcdEndpoints = Active,
        StandbyEtcdEndpoints = Standby,
        ActiveClusterTokenSecret = "etcd-sync-active-cluster-token",
        DataCheckInterval = interval,
        Config = config,
    };

    private static JsonObject Descriptor(string label, string path) =>
        new() { ["displayName"] = label, ["path"] = path, ["x-descriptors"] = new JsonArray("urn:alm:descriptor:com.tectonic.ui:text") };

    private static JsonObject ModuleConfig(JsonObject? config, params JsonObject[] descriptors) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "etcd-sync-v4.x" },
        ["spec"] = new JsonObject { ["config"] = config, ["deployDescriptors"] = new JsonArray(descriptors.Select(d => (JsonNode)d).ToArray()) },
    };

    private static JsonObject Full431Descriptors(JsonObject? config = null) => ModuleConfig(
        config,
        // Not the docs' order, and nested paths: each field is found by its label, wherever it is.
        Descriptor("Print detail logs", "log.detail"),
        Descriptor("Standby Cluster ETCD Endpoints", "standby.etcd.endpoints"),
        Descriptor("Data Check Interval", "check.interval"),
        Descriptor("Active Global Cluster Token Secret", "active.tokenSecretName"),
        Descriptor("Active Global Cluster ETCD Endpoints", "active.etcd.endpoints"),
        Descriptor("Active Global Cluster VIP", "active.vip"));

    [Fact]
    public void The431FormWritesEachFieldAtThePathOfItsLabelNestedByDots()
    {
        var config = EtcdSyncForm.Build(Full431Descriptors(), EtcdSyncLine.V431, new EtcdSyncProfile(), Values(interval: 30));
        Assert.Equal("192.168.130.10", config["active"]!["vip"]!.GetValue<string>());
        Assert.Equal("etcd-sync-active-cluster-token", config["active"]!["tokenSecretName"]!.GetValue<string>());
        Assert.Equal("https://192.168.130.10:2379", config["active"]!["etcd"]!["endpoints"]!.GetValue<string>());
        Assert.Equal("https://192.168.131.10:2379,https://192.168.131.11:2379", config["standby"]!["etcd"]!["endpoints"]!.GetValue<string>());
        Assert.Equal(30, config["check"]!["interval"]!.GetValue<int>());
        Assert.Null(config["log"]); // "Leave Print detail logs disabled": its default is not overwritten.
        Assert.Equal(["active", "standby", "check"], config.Select(p => p.Key));
    }

    [Fact]
    public void AListStaysAListWhereTheFormsDefaultIsOne()
    {
        var defaults = new JsonObject { ["active"] = new JsonObject { ["etcd"] = new JsonObject { ["endpoints"] = new JsonArray() } } };
        var config = EtcdSyncForm.Build(Full431Descriptors(defaults), EtcdSyncLine.V431, new EtcdSyncProfile(), Values());
        Assert.Equal(["https://192.168.130.10:2379"], config["active"]!["etcd"]!["endpoints"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Theory]
    [InlineData("4.0")]
    [InlineData("4.1")]
    [InlineData("4.2")]
    [InlineData("4.3.0")]
    public void TheFormBefore431HasNoVIPStandbyEndpointsOrTokenSecretEvenWhenThePluginOffersThem(string version)
    {
        var line = EtcdSyncLine.For(PlatformVersion.Parse(version));
        var config = EtcdSyncForm.Build(Full431Descriptors(), line, new EtcdSyncProfile(), Values(interval: 45));
        Assert.Equal(["active", "check"], config.Select(p => p.Key));
        Assert.Equal(["etcd"], config["active"]!.AsObject().Select(p => p.Key));
        Assert.False(line.HasTokenSecret);
    }

    [Fact]
    public void A40FormNeedsOnlyItsOwnLabels()
    {
        var moduleConfig = ModuleConfig(null, Descriptor("Data Check Interval", "interval"), Descriptor("Active  Global Cluster ETCD endpoints", "endpoints"));
        var config = EtcdSyncForm.Build(moduleConfig, EtcdSyncLine.V41, new EtcdSyncProfile(), Values());
        Assert.Equal("https://192.168.130.10:2379", config["endpoints"]!.GetValue<string>());
        Assert.Single(config);
    }

    [Fact]
    public void ADocumentedLabelMissingFromTheDescriptorsIsAnErrorNamingItAndTheLabelsPresent()
    {
        var moduleConfig = ModuleConfig(null, Descriptor("Active Global Cluster ETCD Endpoints", "endpoints"), Descriptor("Data Check Interval", "interval"));
        var ex = Assert.Throws<GlobalUpgradeException>(() => EtcdSyncForm.Build(moduleConfig, EtcdSyncLine.V431, new EtcdSyncProfile(), Values()));
        Assert.Equal(ErrorIds.EtcdSyncFormFieldNotFound, ex.ErrorId);
        Assert.Contains("\"Active Global Cluster VIP\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"Data Check Interval\" at interval", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4.3.1+", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutDescriptorsTheAssumedKeysAreMatchedIgnoringCaseAndPunctuation()
    {
        var declared = new JsonObject { ["ActiveClusterVIP"] = "", ["active_etcd_endpoints"] = new JsonArray(), ["standbyEtcdEndpoints"] = "", ["activeClusterTokenSecret"] = "x", ["dataCheckInterval"] = 60 };
        var config = EtcdSyncForm.Build(ModuleConfig(declared), EtcdSyncLine.V431, new EtcdSyncProfile(), Values(interval: 30));
        Assert.Equal("192.168.130.10", config["ActiveClusterVIP"]!.GetValue<string>());
        Assert.Equal(["https://192.168.130.10:2379"], config["active_etcd_endpoints"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("https://192.168.131.10:2379,https://192.168.131.11:2379", config["standbyEtcdEndpoints"]!.GetValue<string>());
        Assert.Equal("etcd-sync-active-cluster-token", config["activeClusterTokenSecret"]!.GetValue<string>());
        Assert.Equal(30, config["dataCheckInterval"]!.GetValue<int>());
    }

    [Fact]
    public void WithoutDescriptorsA41FormWritesOnlyItsFieldsUnderTheAssumedKeys()
    {
        var declared = new JsonObject { ["activeClusterVip"] = "", ["activeEtcdEndpoints"] = "", ["standbyEtcdEndpoints"] = "", ["activeClusterTokenSecret"] = "x", ["dataCheckInterval"] = 60 };
        var config = EtcdSyncForm.Build(ModuleConfig(declared), EtcdSyncLine.V41, new EtcdSyncProfile(), Values(interval: 90));
        Assert.Equal(["activeEtcdEndpoints", "dataCheckInterval"], config.Select(p => p.Key));
    }

    [Fact]
    public void AJsonSchemaDefaultIsReadFromItsProperties()
    {
        var declared = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["activeGlobalClusterVip"] = new JsonObject { ["type"] = "string" },
                ["activeEtcdEndpoints"] = new JsonObject { ["type"] = "array" },
                ["standbyEtcdEndpoints"] = new JsonObject { ["type"] = "string" },
                ["tokenSecret"] = new JsonObject { ["type"] = "string" },
            },
        };
        var config = EtcdSyncForm.Build(ModuleConfig(declared), EtcdSyncLine.V431, new EtcdSyncProfile(), Values());
        Assert.Equal("192.168.130.10", config["activeGlobalClusterVip"]!.GetValue<string>());
        Assert.IsType<JsonArray>(config["activeEtcdEndpoints"]);
        Assert.NotNull(config["tokenSecret"]);
        Assert.Null(config["dataCheckInterval"]);
    }

    [Fact]
    public void WithoutAnyDeclaredFormTheFirstAssumedKeysAreUsedAndConfigPassesThroughAndWins()
    {
        var config = EtcdSyncForm.Build(ModuleConfig(null), EtcdSyncLine.V431, new EtcdSyncProfile(), Values(config: new() { ["printDetailLogs"] = true, ["activeClusterVip"] = "10.0.0.1" }));
        Assert.Equal("10.0.0.1", config["activeClusterVip"]!.GetValue<string>());
        Assert.True(config["printDetailLogs"]!.GetValue<bool>());
        Assert.Equal("https://192.168.130.10:2379", config["activeEtcdEndpoints"]!.GetValue<string>());
    }

    [Fact]
    public void ConfigPathsNestByDotsAndObjectsMergeIntoTheForm()
    {
        var config = EtcdSyncForm.Build(Full431Descriptors(), EtcdSyncLine.V431, new EtcdSyncProfile(), Values(config: new()
        {
            ["log.detail"] = true,
            ["active"] = new JsonObject { ["vip"] = "10.0.0.9", ["extra"] = new JsonObject { ["x"] = 1 } },
        }));
        Assert.True(config["log"]!["detail"]!.GetValue<bool>());
        Assert.Equal("10.0.0.9", config["active"]!["vip"]!.GetValue<string>());
        Assert.Equal(1, config["active"]!["extra"]!["x"]!.GetValue<int>());
        Assert.Equal("https://192.168.130.10:2379", config["active"]!["etcd"]!["endpoints"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("log.detial")]
    [InlineData("activ")]
    [InlineData("unknownRoot.x")]
    public void AConfigKeyTheFormDoesNotDeclareIsRefusedNamingItAndTheFormsFields(string key)
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => EtcdSyncForm.Build(Full431Descriptors(), EtcdSyncLine.V431, new EtcdSyncProfile(), Values(config: new() { [key] = true })));
        Assert.Equal(ErrorIds.EtcdSyncConfigKeyUnknown, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidArgument, ex.Category);
        Assert.Contains($"'{key}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("log.detail", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigKeysDeclaredByTheDefaultsAreAcceptedWithoutDescriptors()
    {
        static JsonObject Declared() => new() { ["activeEtcdEndpoints"] = "", ["dataCheckInterval"] = 60, ["tuning"] = new JsonObject { ["batch"] = 10 } };
        var config = EtcdSyncForm.Build(ModuleConfig(Declared()), EtcdSyncLine.V41, new EtcdSyncProfile(), Values(config: new() { ["tuning.batch"] = 20, ["tuning.extra"] = 1 }));
        Assert.Equal(20, config["tuning"]!["batch"]!.GetValue<int>());
        var ex = Assert.Throws<GlobalUpgradeException>(() => EtcdSyncForm.Build(ModuleConfig(Declared()), EtcdSyncLine.V41, new EtcdSyncProfile(), Values(config: new() { ["tunning.batch"] = 20 })));
        Assert.Equal(ErrorIds.EtcdSyncConfigKeyUnknown, ex.ErrorId);
    }

    [Fact]
    public void WithoutDescriptorsADeclaredFormWithoutAKeyForAFieldIsAnErrorThatNamesTheKeys()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => EtcdSyncForm.Build(ModuleConfig(new JsonObject { ["vip"] = "", ["endpoints"] = "" }), EtcdSyncLine.V41, new EtcdSyncProfile(), Values()));
        Assert.Equal(ErrorIds.EtcdSyncConfigKeyUnknown, ex.ErrorId);
        Assert.Contains("vip, endpoints", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Active Global Cluster ETCD Endpoints", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-Config", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACurrentConfigHoldsTheWantedOneWhenEveryWantedValueIsInIt()
    {
        var wanted = new JsonObject { ["active"] = new JsonObject { ["vip"] = "1.2.3.4" } };
        Assert.True(EtcdSyncForm.Holds(new JsonObject { ["active"] = new JsonObject { ["vip"] = "1.2.3.4", ["other"] = 1 }, ["x"] = true }, wanted));
        Assert.False(EtcdSyncForm.Holds(new JsonObject { ["active"] = new JsonObject { ["vip"] = "1.2.3.5" } }, wanted));
        Assert.False(EtcdSyncForm.Holds(null, wanted));
    }
}
