using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.Platform;
using Xunit;

namespace GlobalUpgrade.Tests.EtcdSync;

/// <summary>Install-EtcdSync's named parameters mapped onto the keys the plugin's ModuleConfig declares.</summary>
public sealed class InstallConfigTests
{
    private static readonly Uri[] Active = [new("https://192.168.130.10:2379")];
    private static readonly Uri[] Standby = [new("https://192.168.131.10:2379"), new("https://192.168.131.11:2379")];

    private static EtcdSyncInstallRequest Request(int? interval = null, Dictionary<string, JsonNode?>? config = null) => new()
    {
        Primary = null!,
        Standby = null!,
        Profile = PlatformProfile.For(PlatformVersion.Parse("v4.1.0")),
        ActiveClusterVip = "192.168.130.10",
        DataCheckInterval = interval,
        Config = config,
    };

    [Fact]
    public void Keys_declared_as_defaults_are_matched_ignoring_case_and_punctuation_and_keep_their_shape()
    {
        var declared = new JsonObject { ["ActiveClusterVIP"] = "", ["active_etcd_endpoints"] = new JsonArray(), ["standbyEtcdEndpoints"] = "", ["activeClusterTokenSecret"] = "x", ["dataCheckInterval"] = 60 };
        var config = EtcdSyncInstaller.BuildConfig(declared, Request(interval: 30), Active, Standby, "etcd-sync-v4.1.0");
        Assert.Equal("192.168.130.10", config["ActiveClusterVIP"]!.GetValue<string>());
        Assert.Equal(["https://192.168.130.10:2379"], config["active_etcd_endpoints"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("https://192.168.131.10:2379,https://192.168.131.11:2379", config["standbyEtcdEndpoints"]!.GetValue<string>());
        Assert.Equal("etcd-sync-active-cluster-token", config["activeClusterTokenSecret"]!.GetValue<string>());
        Assert.Equal(30, config["dataCheckInterval"]!.GetValue<int>());
    }

    [Fact]
    public void A_json_schema_form_is_read_from_its_properties()
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
        var config = EtcdSyncInstaller.BuildConfig(declared, Request(), Active, Standby, "mc");
        Assert.Equal("192.168.130.10", config["activeGlobalClusterVip"]!.GetValue<string>());
        Assert.IsType<JsonArray>(config["activeEtcdEndpoints"]);
        Assert.NotNull(config["tokenSecret"]);
        Assert.Null(config["dataCheckInterval"]);
    }

    [Fact]
    public void Without_a_declared_form_the_assumed_keys_are_used_and_Config_passes_through_and_wins()
    {
        var config = EtcdSyncInstaller.BuildConfig(null, Request(config: new() { ["printDetailLogs"] = true, ["activeClusterVip"] = "10.0.0.1" }), Active, Standby, "mc");
        Assert.Equal("10.0.0.1", config["activeClusterVip"]!.GetValue<string>());
        Assert.True(config["printDetailLogs"]!.GetValue<bool>());
        Assert.Equal("https://192.168.130.10:2379", config["activeEtcdEndpoints"]!.GetValue<string>());
    }

    [Fact]
    public void A_declared_form_without_a_key_for_a_parameter_is_an_error_that_names_the_keys()
    {
        var declared = new JsonObject { ["vip"] = "", ["endpoints"] = "" };
        var ex = Assert.Throws<GlobalUpgradeException>(() => EtcdSyncInstaller.BuildConfig(declared, Request(), Active, Standby, "etcd-sync-v9"));
        Assert.Equal(ErrorIds.EtcdSyncConfigKeyUnknown, ex.ErrorId);
        Assert.Contains("vip, endpoints", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-Config", ex.Message, StringComparison.Ordinal);
    }
}
