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

        // No excluded key crossed the wire but the Namespace objects of excluded namespaces (one key each, which the
        // merge drops: stepping over each would cost two requests), and no request reached into an excluded prefix.
        var namespaceObjects = EtcdExclusions.DefaultRules.Where(r => r.StartsWith(EtcdExclusions.NamespacePrefix, StringComparison.Ordinal))
            .Select(r => "/registry/namespaces/" + r[EtcdExclusions.NamespacePrefix.Length..]).ToHashSet(StringComparer.Ordinal);
        Assert.All(excludedKeysRead, k => Assert.Contains(k, namespaceObjects));
        Assert.Contains(excludedKeysRead, namespaceObjects.Contains);
        var reads = requests.Where(r => !r.CountOnly).ToList();
        Assert.NotEmpty(reads);
        var staticRanges = EtcdExclusions.DefaultRules.Where(r => r.StartsWith('/'))
            .Select(r => (Start: r, End: KeyspaceScanner.PrefixEnd(ByteString.CopyFromUtf8(r)).ToStringUtf8()))
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
    /// The keys not read are counted where the scan stepped over them, not by a second walk of the whole prefix:
    /// windows end inside excluded namespaces and prefix rules (each part is counted once, up to the window's end,
    /// the rest from the next window's start), and -ExcludedCount is still exact. Without the CRDs the first ranges
    /// hold no key and the first page is looked for past them.
    /// </summary>
    [Theory]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(3, false)]
    public async Task SkippedKeysAreCountedInTheRangesSteppedOverOnly(int windows, bool withCrds)
    {
        await using var primary = await EtcdTestServer.StartAsync(etcd.Pki, $"count-p{windows}{withCrds}");
        await using var standby = await EtcdTestServer.StartAsync(etcd.Pki, $"count-s{windows}{withCrds}");
        var keys = ClusterShape().Where(k => withCrds || !k.Contains("customresourcedefinitions", StringComparison.Ordinal)).ToList();
        var standbyKeys = keys.Where((_, i) => i % 13 != 0).Concat(["/registry/secrets/kube-system/only-on-standby"]).ToList();
        await primary.PutAsync(keys.Select(k => (k, "v")));
        await standby.PutAsync(standbyKeys.Select(k => (k, "v")));
        var matcher = new EtcdKeyMatcher(EtcdExclusions.DefaultRules);
        bool IsExcluded(string key) => matcher.IsExcluded(Encoding.UTF8.GetBytes(key));

        // Windows end inside an excluded namespace, at the start of one, and inside a prefix rule's range.
        string[] cuts = ["/registry/configmaps/cert-manager/obj-0075", "/registry/configmaps/kube-system/", "/registry/secrets/cpaas-system/obj-0010",
            "/registry/example.io/widgets/kube-system/obj-0140", "/registry/events/app-a/event-00200", "/registry/leases/kube-node-lease/node-050"];
        var windowEnds = new List<string>();
        var counts = new List<(string Side, string Start, string End, long Total)>();
        var excludedKeysRead = 0;
        var hooks = new ScanHooks
        {
            CutWindow = (_, start, end) =>
            {
                var cut = cuts.Where(c => string.CompareOrdinal(c, start.ToStringUtf8()) > 0 && string.CompareOrdinal(c, end.ToStringUtf8()) < 0).Order(StringComparer.Ordinal).FirstOrDefault();
                var chosen = cut is null ? end : ByteString.CopyFromUtf8(cut);
                lock (windowEnds)
                {
                    windowEnds.Add(chosen.ToStringUtf8());
                }

                return chosen;
            },
            Requested = (side, start, end, countOnly, page) =>
            {
                lock (counts)
                {
                    if (countOnly)
                    {
                        counts.Add((side, start.ToStringUtf8(), end.ToStringUtf8(), page.Total));
                    }

                    excludedKeysRead += Enumerable.Range(0, page.Count).Count(i => matcher.IsExcluded(page.Key(i)));
                }
            },
        };
        var diff = await EtcdKeyspaceComparer.CompareAsync(Request(primary, standby, 20, windows), hooks, default);

        // (a) Exact: every excluded key of both sides, read and dropped or not read.
        var excluded = keys.Count(IsExcluded) + standbyKeys.Count(IsExcluded);
        Assert.Equal(excluded, diff.ExcludedCount);
        Assert.Equal(keys.Count - keys.Count(IsExcluded), diff.PrimaryCount);
        Assert.Equal(standbyKeys.Count - standbyKeys.Count(IsExcluded), diff.StandbyCount);

        // (b) The counts cover the parts not read: never the whole prefix, no two overlap, each holds only excluded keys,
        // and together they hold exactly the excluded keys that were not read.
        Assert.NotEmpty(counts);
        Assert.DoesNotContain(counts, c => c.Start == EtcdExclusions.StorageRoot);
        foreach (var (side, sideKeys) in new[] { ("primary", keys), ("standby", standbyKeys) })
        {
            var parts = counts.Where(c => c.Side == side).OrderBy(c => c.Start, StringComparer.Ordinal).ToList();
            for (var i = 1; i < parts.Count; i++)
            {
                Assert.True(string.CompareOrdinal(parts[i - 1].End, parts[i].Start) <= 0, $"The counted parts [{parts[i - 1].Start}, {parts[i - 1].End}) and [{parts[i].Start}, {parts[i].End}) overlap.");
            }

            foreach (var part in parts)
            {
                var inside = sideKeys.Where(k => string.CompareOrdinal(k, part.Start) >= 0 && string.CompareOrdinal(k, part.End) < 0).ToList();
                Assert.All(inside, k => Assert.True(IsExcluded(k), $"{k} is counted as skipped but is not excluded."));
                Assert.Equal(inside.Count, part.Total);
            }
        }

        Assert.Equal(excluded - excludedKeysRead, counts.Sum(c => c.Total));

        // The windows did end inside excluded ranges, and a part was counted up to such an end and on from it.
        var endsInside = windowEnds.Where(IsExcluded).ToList();
        Assert.NotEmpty(endsInside);
        Assert.Contains(counts, c => endsInside.Contains(c.End) && counts.Any(o => o.Side == c.Side && o.Start == c.End));
    }

    /// <summary>
    /// A prefix inside an excluded range: after the first page the rest is stepped over, and only the prefix's own keys
    /// are counted, not the rest of the range it lies in; exclusions the scan never steps over cost no count at all.
    /// </summary>
    [Fact]
    public async Task OnlyTheKeysOfThePrefixAreCountedAndNothingWhenNothingIsSteppedOver()
    {
        await using var primary = await EtcdTestServer.StartAsync(etcd.Pki, "count-prefix-p");
        await using var standby = await EtcdTestServer.StartAsync(etcd.Pki, "count-prefix-s");
        var keys = Enumerable.Range(0, 150).Select(i => $"/registry/configmaps/kube-system/obj-{i:D4}")
            .Concat(Enumerable.Range(0, 50).Select(i => $"/registry/configmaps/team-a/obj-{i:D4}")).ToList();
        await primary.PutAsync(keys.Select(k => (k, "v")));
        await standby.PutAsync(keys.Select(k => (k, "v")));
        var counts = new List<(string Start, string End, long Total)>();
        var hooks = new ScanHooks
        {
            Requested = (_, start, end, countOnly, page) =>
            {
                lock (counts)
                {
                    if (countOnly)
                    {
                        counts.Add((start.ToStringUtf8(), end.ToStringUtf8(), page.Total));
                    }
                }
            },
        };

        // '/registry/configmaps/kube-system/obj-00' lies in kube-system's range: its 100 keys a side are excluded, not kube-system's 150.
        var inside = Request(primary, standby, 20, 2) with { Prefix = "/registry/configmaps/kube-system/obj-00" };
        var empty = await Assert.ThrowsAsync<GlobalUpgrade.Errors.GlobalUpgradeException>(() => EtcdKeyspaceComparer.CompareAsync(inside, hooks, default));
        Assert.Equal(GlobalUpgrade.Errors.ErrorIds.EtcdKeyspaceEmpty, empty.ErrorId);
        Assert.Contains("(200 excluded)", empty.Message, StringComparison.Ordinal);

        // A resource is learned from the keys etcd returns: each side's first page (20 keys) is read and dropped, the
        // rest of the prefix (80 keys a side) is stepped over and counted.
        Assert.Equal(200 - (2 * 20), counts.Sum(c => c.Total));

        // Rules outside the prefix: nothing is stepped over, nothing is counted.
        counts.Clear();
        var outside = Request(primary, standby, 20, 2) with { Prefix = "/registry/configmaps/", Exclusions = ["/registry/events/", "/registry/secrets/kube-system/"] };
        var diff = await EtcdKeyspaceComparer.CompareAsync(outside, hooks, default);
        Assert.Equal(0, diff.ExcludedCount);
        Assert.Equal(keys.Count, diff.PrimaryCount);
        Assert.Empty(counts);
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

    /// <summary>
    /// Namespace ranges come only from keys etcd returned, and only for namespaced resources: the windows' estimated
    /// starts (which often name no resource that exists) and cluster-scoped resources would each add a count and a split
    /// window per excluded namespace — at a million keys per side, over a hundred requests of nothing.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task OnlyNamespacedResourcesEtcdReturnedGetNamespaceRanges(int windows)
    {
        await using var primary = await EtcdTestServer.StartAsync(etcd.Pki, $"learn-p{windows}");
        await using var standby = await EtcdTestServer.StartAsync(etcd.Pki, $"learn-s{windows}");
        var keys = Enumerable.Range(0, 300).Select(i => $"/registry/clusterroles/role-{i * 7919 % 100000:D5}")
            .Concat(Enumerable.Range(0, 300).Select(i => $"/registry/configmaps/app-a/cm-{i * 7919 % 100000:D5}"))
            .Concat(Enumerable.Range(0, 40).Select(i => $"/registry/configmaps/kube-system/cm-{i:D5}"))
            .Concat(Enumerable.Range(0, 300).Select(i => $"/registry/secrets/zz-team/s-{i * 7919 % 100000:D5}")).ToList();
        await primary.PutAsync(keys.Select(k => (k, "v")));
        await standby.PutAsync(keys.Select(k => (k, "v")));
        var counts = new List<string>();
        var hooks = new ScanHooks
        {
            Requested = (_, start, _, countOnly, _) =>
            {
                lock (counts)
                {
                    if (countOnly)
                    {
                        counts.Add(start.ToStringUtf8());
                    }
                }
            },
        };

        var diff = await EtcdKeyspaceComparer.CompareAsync(Request(primary, standby, 20, windows), hooks, default);

        Assert.Equal(keys.Count - 40, diff.PrimaryCount);
        Assert.Equal(2 * 40, diff.ExcludedCount);

        // Every part counted is a static rule's range or a namespace range of configmaps or secrets, the namespaced
        // resources etcd returned keys of: none in clusterroles, none in a resource the windows' starts made up.
        var matcher = new EtcdKeyMatcher(EtcdExclusions.DefaultRules);
        var prefixes = matcher.Prefixes.Select(p => Encoding.UTF8.GetString(p)).ToList();
        Assert.NotEmpty(counts);
        Assert.All(counts, start => Assert.True(
            prefixes.Any(p => start.StartsWith(p, StringComparison.Ordinal)) ||
            start.StartsWith("/registry/configmaps/", StringComparison.Ordinal) || start.StartsWith("/registry/secrets/", StringComparison.Ordinal),
            $"The part from '{start}' was counted: it lies in no static rule and no namespaced resource etcd returned."));
        Assert.Contains("/registry/configmaps/kube-system/", counts);
        Assert.DoesNotContain(counts, start => start.StartsWith("/registry/clusterroles/", StringComparison.Ordinal));
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
