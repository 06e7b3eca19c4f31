using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>The discovery documents (<c>/api</c>, <c>/apis</c>, <c>/api/v1</c>, <c>/apis/{group}/{version}</c>) for the served resources.</summary>
internal static class Discovery
{
    public static JsonObject ApiVersions(Uri server) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = $"{server.Host}:{server.Port}" }),
    };

    public static JsonObject GroupList(IReadOnlyList<ResourceType> served) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(GroupVersions(served).Select(gv => gv.Group).Distinct().Select(g => (JsonNode)Group(served, g)!).ToArray()),
    };

    public static JsonObject? Group(IReadOnlyList<ResourceType> served, string group)
    {
        var versions = GroupVersions(served).Where(gv => gv.Group == group).Select(gv => gv.Version).ToList();
        if (versions.Count == 0)
        {
            return null;
        }

        var preferred = served.First(t => t.Group == group).Version;
        JsonObject Gv(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)Gv(v)).ToArray()),
            ["preferredVersion"] = Gv(preferred),
        };
    }

    public static JsonObject? ResourceList(IReadOnlyList<ResourceType> served, string group, string version)
    {
        var types = served.Where(t => t.Group == group && t.ServedVersions.Contains(version)).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var t in types)
        {
            resources.Add(new JsonObject
            {
                ["name"] = t.Resource,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = new JsonArray("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
                ["shortNames"] = new JsonArray(t.ShortNames.Select(s => (JsonNode)s).ToArray()),
            });
            if (t.HasStatus)
            {
                resources.Add(Sub(t, "status", "get", "patch", "update"));
            }

            if (t == ResourceTypes.Pods)
            {
                resources.Add(Sub(t, "log", "get"));
            }

            if (t == ResourceTypes.Services)
            {
                resources.Add(Sub(t, "proxy", "create", "delete", "get", "patch", "update"));
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static IEnumerable<(string Group, string Version)> GroupVersions(IReadOnlyList<ResourceType> served) =>
        served.Where(t => !t.IsCore).SelectMany(t => t.ServedVersions.Select(v => (t.Group, v))).Distinct();

    private static JsonObject Sub(ResourceType t, string sub, params string[] verbs) => new()
    {
        ["name"] = $"{t.Resource}/{sub}",
        ["singularName"] = "",
        ["namespaced"] = t.Namespaced,
        ["kind"] = sub == "log" || sub == "proxy" ? (sub == "log" ? "Pod" : "ServiceProxyOptions") : t.Kind,
        ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)v).ToArray()),
    };
}
