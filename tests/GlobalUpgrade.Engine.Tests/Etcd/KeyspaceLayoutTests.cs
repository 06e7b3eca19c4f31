using System.Text;
using GlobalUpgrade.Etcd;
using Xunit;
using Xunit.Abstractions;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>
/// A later scan of the same cluster cuts its windows where the last one found the keys: the real scanner against a
/// real etcd, keys in families of numbered namespaces with wide gaps between the families — the shape the estimate
/// alone crosses in many small requests, after a first request whose count walks the whole range.
/// </summary>
[Collection(EtcdCollection.Name)]
public sealed class KeyspaceLayoutTests(EtcdPairFixture etcd, ITestOutputHelper output)
{
    private const int PageSize = 100;

    /// <summary>Keys of a window cut for three quarters of a page (KeyWindow's target).</summary>
    private const int WindowKeys = PageSize * 3 / 4;

    private static readonly string[] Families = ["analytics", "identity", "logistics", "messaging", "observability", "payments", "platform-core", "storefront"];

    [Fact]
    public async Task ASecondScanReadsEveryKeyOnceInAboutOneRequestPerWindow()
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, "layout-again");
        var keys = FamilyKeys();
        await server.PutAsync(keys.Select(k => (k, "v")));

        var first = await ScanAsync(server, layout: null);
        var second = await ScanAsync(server, first.Scanner.ReadLayout);
        output.WriteLine($"{keys.Count} keys; first scan {first.Scanner.Requests} requests, {first.Scanner.KeysWalked} walked; second {second.Scanner.Requests} requests, {second.Scanner.KeysWalked} walked");

        Assert.Equal(KeyspaceWindowTests.ByteOrder(keys), first.Keys);
        Assert.Equal(KeyspaceWindowTests.ByteOrder(keys), second.Keys);

        // No count of the whole range and no request across a gap: each key is walked once, a window per request.
        Assert.InRange(second.Scanner.KeysWalked, keys.Count, keys.Count + WindowKeys);
        Assert.InRange(second.Scanner.Requests, 1, (keys.Count / WindowKeys) + 2);
        Assert.Equal(keys.Count, second.Scanner.ReadLayout!.Keys);
    }

    [Fact]
    public async Task KeysChangedSinceTheLastScanAreReadExactlyTheLayoutOnlyDecidesTheRequests()
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, "layout-changed");
        var keys = FamilyKeys();
        await server.PutAsync(keys.Select(k => (k, "v")));
        var first = await ScanAsync(server, layout: null);

        // Since then: a family deleted, a dense new one in the widest gap, keys before the first and after the last,
        // and a run of new keys inside what was one window.
        await server.DeleteAsync("/fam/ns/logistics-");
        var added = Enumerable.Range(0, 900).Select(i => $"/fam/ns/k8s-team-{i % 3:D3}/dense-{i:D5}")
            .Concat(["/fam/", "/fam/a", "/fam/ns/", "/fam/zz/after-every-key"])
            .Concat(Enumerable.Range(0, 400).Select(i => $"/fam/ns/payments-team-010/order-history-0003-{i:D4}"))
            .ToList();
        await server.PutAsync(added.Select(k => (k, "v")));
        var now = keys.Where(k => !k.StartsWith("/fam/ns/logistics-", StringComparison.Ordinal)).Concat(added).ToList();

        var second = await ScanAsync(server, first.Scanner.ReadLayout);
        output.WriteLine($"{now.Count} keys now; the scan with the old layout made {second.Scanner.Requests} requests, walked {second.Scanner.KeysWalked}");

        Assert.Equal(KeyspaceWindowTests.ByteOrder(now), second.Keys);
        Assert.Equal(now.Count, second.Scanner.ReadLayout!.Keys);
    }

    [Fact]
    public async Task AComparisonLeavesWhereItFoundTheKeysForTheNextComparisonOfThatPair()
    {
        await using var primary = await EtcdTestServer.StartAsync(etcd.Pki, "layout-compare");
        var keys = FamilyKeys();
        await primary.PutAsync(keys.Select(k => (k, "v")));
        var layouts = new KeyspaceLayouts();

        var (firstDiff, firstRequests) = await CompareAsync(primary, layouts, PageSize);
        var (secondDiff, secondRequests) = await CompareAsync(primary, layouts, PageSize);
        var (otherPageSize, otherRequests) = await CompareAsync(primary, layouts, PageSize / 2);
        output.WriteLine($"primary requests: {firstRequests}, then {secondRequests}; with another page size {otherRequests}");

        Assert.Equal(KeyspaceWindowTests.ByteOrder(keys), firstDiff.MissedKeys);
        Assert.Equal(firstDiff.MissedKeys, secondDiff.MissedKeys);
        Assert.Equal(firstDiff.MissedKeys, otherPageSize.MissedKeys);
        Assert.InRange(secondRequests, 1, (keys.Count / WindowKeys) + 2);
        Assert.True(secondRequests < firstRequests, $"{secondRequests} requests the second time, {firstRequests} the first");

        // A layout is kept per page size: windows cut for other pages would not fit them.
        Assert.True(otherRequests > (keys.Count / (PageSize / 2 * 3 / 4)) + 2, $"{otherRequests} requests with pages of {PageSize / 2}");
    }

    /// <summary>Families of 30 numbered namespaces, 25 names each: the families far apart on any scale of the bytes.</summary>
    private static List<string> FamilyKeys() =>
        Families.SelectMany(family => Enumerable.Range(0, 30).SelectMany(ns => Enumerable.Range(0, 25).Select(i =>
            $"/fam/ns/{family}-team-{ns * 7:D3}/order-history-{(ns * 25) + i:D4}"))).ToList();

    private static async Task<(KeyspaceScanner Scanner, List<string> Keys)> ScanAsync(EtcdTestServer server, KeyspaceLayout? layout)
    {
        var options = new EtcdClientOptions("primary", [server.PlainEndpoint], Timeout: TimeSpan.FromSeconds(60));
        var scanner = new KeyspaceScanner(options, EtcdTlsMaterial.Load(options), "/fam/", withValues: false, PageSize, activityId: 1, new PageBuffers()) { Layout = layout };
        var keys = await ScannerRun.ReadKeysAsync(scanner);
        return (scanner, keys.Select(k => Encoding.UTF8.GetString(k)).ToList());
    }

    private async Task<(EtcdKeyspaceDiff Diff, int PrimaryRequests)> CompareAsync(EtcdTestServer primary, KeyspaceLayouts layouts, int pageSize)
    {
        var requests = 0;
        var hooks = new ScanHooks
        {
            Requested = (side, _, _, _, _) =>
            {
                if (side == "primary")
                {
                    Interlocked.Increment(ref requests);
                }
            },
        };

        // The fixture's standby holds nothing under the prefix: every key is missed, the list is what the primary read.
        var request = new EtcdKeyspaceRequest(
            new EtcdClientOptions("primary", [primary.PlainEndpoint], Timeout: TimeSpan.FromSeconds(30)),
            new EtcdClientOptions("standby", [etcd.Standby.PlainEndpoint], Timeout: TimeSpan.FromSeconds(30)),
            "/fam/",
            [],
            PageSize: pageSize,
            MaxKeys: 100000)
        { Layouts = layouts };
        var diff = await EtcdKeyspaceComparer.CompareAsync(request, hooks, default);
        return (diff, requests);
    }
}
