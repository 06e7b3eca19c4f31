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
        var excludedKeysRead = new List<(string Side, int Request, string Key)>();
        var hooks = new ScanHooks
        {
            Requested = (side, start, end, countOnly, page) =>
            {
                lock (requests)
                {
                    requests.Add((start.ToStringUtf8(), end.ToStringUtf8(), countOnly));
                    for (var i = 0; i < page.Count; i++)
                    {
                        if (matcher.IsExcluded(page.Key(i)))
                        {
                            excludedKeysRead.Add((side, requests.Count, page.KeyText(i)));
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

        // Excluded keys crossed the wire only where the scan met an excluded namespace of a resource: each window in
        // flight that reached into one read one page of it, then the rest of it was stepped over — so most of them were
        // not read — and a Namespace object (one key, which the merge drops) is read where it lies.
        var namespaceObjects = EtcdExclusions.DefaultRules.Where(r => r.StartsWith(EtcdExclusions.NamespacePrefix, StringComparison.Ordinal))
            .Select(r => "/registry/namespaces/" + r[EtcdExclusions.NamespacePrefix.Length..]).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(excludedKeysRead, r => namespaceObjects.Contains(r.Key));
        foreach (var meeting in excludedKeysRead.Where(r => !namespaceObjects.Contains(r.Key)).GroupBy(r => (r.Side, Namespace: r.Key[..(r.Key.LastIndexOf('/') + 1)])))
        {
            Assert.True(meeting.Select(r => r.Request).Distinct().Count() <= windows, $"The {meeting.Key.Side} read keys of {meeting.Key.Namespace} in more requests than it has windows: {string.Join(", ", meeting.Select(r => r.Key))}.");
        }

        Assert.True(excludedKeysRead.Count * 3 < skipping.ExcludedCount, $"{excludedKeysRead.Count} of {skipping.ExcludedCount} excluded keys were read.");
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
    /// Stepping over an excluded namespace costs a split window and a count: it is done only where the keys etcd
    /// returned show it is worth it. A resource with no keys in an excluded namespace (secrets here) costs no request
    /// for it, a namespace with a few keys (kube-public) is read and dropped by the merge, and one with many
    /// (cpaas-system) is read up to the end of the page that meets it, then stepped over and counted; the counts stay
    /// exact. Before, every excluded namespace of every resource was stepped over and counted, keys or not.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ExcludedNamespacesAreSteppedOverOnlyWhereTheKeysReadShowTheyHoldMany(int windows)
    {
        await using var primary = await EtcdTestServer.StartAsync(etcd.Pki, $"worth-p{windows}");
        await using var standby = await EtcdTestServer.StartAsync(etcd.Pki, $"worth-s{windows}");
        const int pageSize = 50;
        var keys = Enumerable.Range(0, 300).Select(i => $"/registry/configmaps/app-a/cm-{i * 7919 % 100000:D5}")
            .Concat(Enumerable.Range(0, 600).Select(i => $"/registry/configmaps/cpaas-system/cm-{i * 7919 % 100000:D5}"))
            .Concat(Enumerable.Range(0, 3).Select(i => $"/registry/configmaps/kube-public/cm-{i:D5}"))
            .Concat(Enumerable.Range(0, 300).Select(i => $"/registry/configmaps/zz-team/cm-{i * 7919 % 100000:D5}"))
            .Concat(Enumerable.Range(0, 300).Select(i => $"/registry/secrets/app-a/s-{i * 7919 % 100000:D5}")).ToList();
        await primary.PutAsync(keys.Select(k => (k, "v")));
        await standby.PutAsync(keys.Select(k => (k, "v")));
        var counted = new List<(string Start, long Total)>();
        var keysRead = new List<(string Side, string Key)>();
        var hooks = new ScanHooks
        {
            Requested = (side, start, _, countOnly, page) =>
            {
                lock (counted)
                {
                    if (countOnly)
                    {
                        counted.Add((start.ToStringUtf8(), page.Total));
                    }

                    keysRead.AddRange(Enumerable.Range(0, page.Count).Select(i => (side, page.KeyText(i))));
                }
            },
        };

        var diff = await EtcdKeyspaceComparer.CompareAsync(Request(primary, standby, pageSize, windows), hooks, default);

        Assert.Equal(900, diff.PrimaryCount);
        Assert.Equal(900, diff.StandbyCount);
        Assert.Equal(2 * 603, diff.ExcludedCount);
        Assert.True(diff.IsConsistent);

        // Stepped over and counted: the static rules' ranges the scan passed, and cpaas-system; no part of secrets (no
        // excluded namespace holds any), and kube-public's keys were read (a part of it after them, should a page end
        // there, holds nothing).
        var prefixes = new EtcdKeyMatcher(EtcdExclusions.DefaultRules).Prefixes.Select(p => Encoding.UTF8.GetString(p)).ToList();
        Assert.All(counted, part => Assert.True(
            prefixes.Any(p => part.Start.StartsWith(p, StringComparison.Ordinal)) || part.Start.StartsWith("/registry/configmaps/cpaas-system/", StringComparison.Ordinal) || part.Total == 0,
            $"The part from '{part.Start}' ({part.Total} keys) was stepped over and counted: it holds no excluded key worth a request."));
        Assert.DoesNotContain(counted, part => part.Start.StartsWith("/registry/secrets/", StringComparison.Ordinal));
        Assert.Contains(counted, part => part.Start.StartsWith("/registry/configmaps/cpaas-system/", StringComparison.Ordinal) && part.Total > 0);
        foreach (var side in new[] { "primary", "standby" })
        {
            Assert.Equal(3, keysRead.Count(r => r.Side == side && r.Key.StartsWith("/registry/configmaps/kube-public/", StringComparison.Ordinal)));

            // cpaas-system: at most one page per window in flight crossed the wire, of its 600 keys.
            Assert.InRange(keysRead.Count(r => r.Side == side && r.Key.StartsWith("/registry/configmaps/cpaas-system/", StringComparison.Ordinal)), 0, windows * KeyspaceScanner.MaxPageGrowth * pageSize);
        }
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
            .Concat(Enumerable.Range(0, 400).Select(i => $"/registry/configmaps/kube-system/cm-{i:D5}"))
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

        Assert.Equal(keys.Count - 400, diff.PrimaryCount);
        Assert.Equal(2 * 400, diff.ExcludedCount);

        // Every part counted is a static rule's range or a namespace range of configmaps or secrets, the namespaced
        // resources etcd returned keys of: none in clusterroles, none in a resource the windows' starts made up.
        var matcher = new EtcdKeyMatcher(EtcdExclusions.DefaultRules);
        var prefixes = matcher.Prefixes.Select(p => Encoding.UTF8.GetString(p)).ToList();
        Assert.NotEmpty(counts);
        Assert.All(counts, start => Assert.True(
            prefixes.Any(p => start.StartsWith(p, StringComparison.Ordinal)) ||
            start.StartsWith("/registry/configmaps/", StringComparison.Ordinal) || start.StartsWith("/registry/secrets/", StringComparison.Ordinal),
            $"The part from '{start}' was counted: it lies in no static rule and no namespaced resource etcd returned."));
        Assert.Contains(counts, start => start.StartsWith("/registry/configmaps/kube-system/", StringComparison.Ordinal));
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
