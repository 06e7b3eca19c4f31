using System.Text;
using GlobalUpgrade.Etcd;
using Google.Protobuf;
using Xunit;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>
/// The excluded parts of the keyspace are not read: the real scanner against two real etcd servers holding the shape
/// of a cluster (events, leases, API services, objects in kube-system and cpaas-system next to kept namespaces)
/// asks for no range that reaches into an excluded prefix, gets no excluded key back, and finds exactly what reading
/// everything and dropping the excluded keys finds, counts included.
/// </summary>
[Collection(EtcdCollection.Name)]
public sealed class ExcludedRangeScanTests(EtcdPairFixture etcd)
{
    [Theory]
    [InlineData(1, 20)]
    [InlineData(3, 20)]
    public async Task ExcludedRangesAreNotReadAndTheResultIsTheFilteredFullRead(int windows, int pageSize)
    {
        await using var primary = await EtcdTestServer.StartAsync(etcd.Pki, $"skip-p{windows}");
        await using var standby = await EtcdTestServer.StartAsync(etcd.Pki, $"skip-s{windows}");
        var keys = ClusterShape();
        var standbyKeys = keys.Where((_, i) => i % 17 != 0).Concat(["/registry/configmaps/app-a/only-on-standby", "/registry/configmaps/kube-system/only-on-standby", "/registry/events/app-a/only-on-standby"]).ToList();
        await primary.PutAsync(keys.Select(k => (k, "v")));
        await standby.PutAsync(standbyKeys.Select(k => (k, "v")));
        var matcher = new EtcdKeyMatcher(EtcdExclusions.DefaultRules);

        var requests = new List<(string Start, string End, bool CountOnly)>();
        var excludedKeysRead = new List<string>();
        var hooks = new ScanHooks
        {
            Requested = (_, start, end, countOnly, page) =>
            {
                lock (requests)
                {
                    requests.Add((start.ToStringUtf8(), end.ToStringUtf8(), countOnly));
                    for (var i = 0; i < page.Count; i++)
                    {
                        if (matcher.IsExcluded(page.Key(i)))
                        {
                            excludedKeysRead.Add(page.KeyText(i));
                        }
                    }
                }
            },
        };
        var skipping = await EtcdKeyspaceComparer.CompareAsync(Request(primary, standby, pageSize, windows), hooks, default);
        var fullReadExcluded = 0;
        var fullHooks = new ScanHooks { Requested = (_, _, _, _, page) => Interlocked.Add(ref fullReadExcluded, Enumerable.Range(0, page.Count).Count(i => matcher.IsExcluded(page.Key(i)))) };
        var full = await EtcdKeyspaceComparer.CompareAsync(Request(primary, standby, pageSize, windows) with { SkipExcludedRanges = false }, fullHooks, default);

        // The same result as reading everything and dropping the excluded keys.
        Assert.Equal(full.MissedKeys, skipping.MissedKeys);
        Assert.Equal(full.SurplusKeys, skipping.SurplusKeys);
        Assert.Equal(full.PrimaryCount, skipping.PrimaryCount);
        Assert.Equal(full.StandbyCount, skipping.StandbyCount);
        Assert.Equal(full.ExcludedCount, skipping.ExcludedCount);
        Assert.Equal(keys.Count(k => matcher.IsExcluded(Encoding.UTF8.GetBytes(k))) + standbyKeys.Count(k => matcher.IsExcluded(Encoding.UTF8.GetBytes(k))), skipping.ExcludedCount);
        Assert.Contains("/registry/configmaps/app-a/only-on-standby", skipping.SurplusKeys);

        // No excluded key crossed the wire, and no request reached into an excluded prefix or a Namespace object.
        Assert.Empty(excludedKeysRead);
        var reads = requests.Where(r => !r.CountOnly).ToList();
        Assert.NotEmpty(reads);
        var staticRanges = EtcdExclusions.DefaultRules.Where(r => r.StartsWith('/'))
            .Select(r => (Start: r, End: KeyspaceScanner.PrefixEnd(ByteString.CopyFromUtf8(r)).ToStringUtf8()))
            .Concat(EtcdExclusions.DefaultRules.Where(r => r.StartsWith(EtcdExclusions.NamespacePrefix, StringComparison.Ordinal))
                .Select(r => "/registry/namespaces/" + r[EtcdExclusions.NamespacePrefix.Length..]).Select(k => (Start: k, End: k + "\0")))
            .ToList();
        foreach (var (start, end, _) in reads)
        {
            foreach (var excluded in staticRanges)
            {
                Assert.False(string.CompareOrdinal(start, excluded.End) < 0 && string.CompareOrdinal(excluded.Start, end) < 0, $"The request [{start}, {end}) reaches into the excluded range [{excluded.Start}, {excluded.End}).");
            }
        }

        // Reading everything and filtering (as before) brings every excluded key over the wire: the checks above see a leak.
        Assert.Equal(full.ExcludedCount, fullReadExcluded);
    }

    /// <summary>
    /// A global cluster's shape in small: each resource starts with a kept namespace (more keys than a request asks
    /// for), then excluded namespaces (cert-manager, cpaas-system, kube-system) between kept ones, and the resources
    /// excluded whole (API services, events, leases).
    /// </summary>
    private static List<string> ClusterShape()
    {
        var keys = new List<string>();
        keys.AddRange(Enumerable.Range(0, 30).Select(i => $"/registry/apiextensions.k8s.io/customresourcedefinitions/crd{i:D3}.example.io"));
        keys.AddRange(Enumerable.Range(0, 30).Select(i => $"/registry/apiregistration.k8s.io/apiservices/v{i}.example.io"));
        foreach (var resource in new[] { "/registry/configmaps/", "/registry/secrets/", "/registry/services/specs/", "/registry/example.io/widgets/" })
        {
            keys.AddRange(Enumerable.Range(0, 60).Select(i => $"{resource}app-a/obj-{i:D4}"));
            keys.AddRange(Enumerable.Range(0, 150).Select(i => $"{resource}cert-manager/obj-{i:D4}"));
            keys.AddRange(Enumerable.Range(0, 150).Select(i => $"{resource}cpaas-system/obj-{i:D4}"));
            keys.AddRange(Enumerable.Range(0, 40).Select(i => $"{resource}cpaas-system-x/obj-{i:D4}")); // kept: a name that only starts like an excluded one
            keys.AddRange(Enumerable.Range(0, 150).Select(i => $"{resource}kube-system/obj-{i:D4}"));
            keys.AddRange(Enumerable.Range(0, 60).Select(i => $"{resource}zz-team/obj-{i:D4}"));
        }

        keys.AddRange(Enumerable.Range(0, 400).Select(i => $"/registry/events/app-a/event-{i:D5}"));
        keys.AddRange(Enumerable.Range(0, 100).Select(i => $"/registry/leases/kube-node-lease/node-{i:D3}"));
        keys.AddRange(["/registry/namespaces/app-a", "/registry/namespaces/cpaas-system", "/registry/namespaces/kube-system", "/registry/namespaces/zz-team"]);
        return keys;
    }

    private static EtcdKeyspaceRequest Request(EtcdTestServer primary, EtcdTestServer standby, int pageSize, int windows) => new(
        new EtcdClientOptions("primary", [primary.PlainEndpoint], Timeout: TimeSpan.FromSeconds(30)),
        new EtcdClientOptions("standby", [standby.PlainEndpoint], Timeout: TimeSpan.FromSeconds(30)),
        EtcdExclusions.StorageRoot,
        EtcdExclusions.DefaultRules,
        PageSize: pageSize,
        MaxKeys: 100000)
    { WindowsInFlight = windows };
}
