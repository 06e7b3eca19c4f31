using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Etcd;
using Google.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>
/// The windowed scan against a real etcd: whatever the key shapes, page sizes and windows in flight, every key is
/// read exactly once, in order, at the revision of the first answer; a side that fails is an error.
/// The primary is a server of the test's own; the standby is the fixture's, which holds nothing under the test's
/// prefix, so the missed list is exactly what the primary's scan read.
/// </summary>
[Collection(EtcdCollection.Name)]
public sealed class KeyspaceWindowTests(EtcdPairFixture etcd, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(3, 7)]
    [InlineData(3, 500)]
    [InlineData(8, 64)]
    public async Task SkewedKeyShapesAreCoveredExactlyOnce(int windows, int pageSize)
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, $"skew{windows}-{pageSize}");
        var keys = new List<string>();

        // Decimal runs with gaps (names numbered per team), as the benchmark has.
        keys.AddRange(Enumerable.Range(0, 1200).Select(i => $"/skew/configmaps/team-{i % 30:D4}/app-config-{i:D8}"));

        // One dense namespace in a sparse background: a few keys spread over the whole byte range.
        keys.AddRange(Enumerable.Range(0, 900).Select(i => $"/skew/pods/dense/p-{i:D5}"));
        keys.AddRange(Enumerable.Range(0, 26).Select(i => $"/skew/{(char)('a' + i)}{(char)('z' - i)}/k"));

        // Gaps growing exponentially: each key twice as far from the previous one as that from the one before.
        keys.AddRange(Enumerable.Range(0, 60).Select(i => $"/skew/exp/{1UL << i:X16}"));

        // Keys sharing more than the 256 bytes the estimate looks at, and keys at the top of the byte range.
        keys.AddRange(Enumerable.Range(0, 80).Select(i => $"/skew/secrets/app/{new string('s', 300)}{i:D3}"));
        keys.AddRange(["/skew/\u00ff", "/skew/\u00ff\u00ff", "/skew/ключ", "/skew/\uffee"]);

        // Random printable names (seeded: the same on every run).
        var random = new Random(13);
        keys.AddRange(Enumerable.Range(0, 300).Select(_ => "/skew/random/" + new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(33, 127)).ToArray())));
        keys = keys.Distinct().ToList();
        await server.PutAsync(keys.Select(k => (k, "v")));

        var (diff, read) = await ScanAsync(server, "/skew/", pageSize, windows);

        Assert.Equal(ByteOrder(keys), diff.MissedKeys);
        Assert.Equal(keys.Count, read); // no key read twice (the merge would hide a repeat)
        Assert.Equal(keys.Count, diff.PrimaryCount);
    }

    [Fact]
    public async Task AKeyExactlyAtAWindowBoundaryIsReadOnceByTheNextWindow()
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, "boundary");
        var keys = Enumerable.Range(0, 300).Select(i => $"/edge/k{i:D4}").ToList();
        await server.PutAsync(keys.Select(k => (k, "v")));
        var ends = new List<string>();

        // Every window ends exactly at an existing key, ten keys on: [k0010, k0020) then [k0020, k0030), ….
        ByteString Cut(string side, ByteString start, ByteString estimated)
        {
            var text = start.ToStringUtf8();
            var next = keys.FindIndex(k => string.CompareOrdinal(k, text) >= 0);
            if (next < 0 || next + 10 >= keys.Count)
            {
                return KeyspaceScanner.PrefixEnd(ByteString.CopyFromUtf8("/edge/"));
            }

            lock (ends)
            {
                ends.Add(keys[next + 10]);
            }

            return ByteString.CopyFromUtf8(keys[next + 10]);
        }

        var (diff, read) = await ScanAsync(server, "/edge/", pageSize: 7, windows: 3, new ScanHooks { CutWindow = Cut });

        Assert.NotEmpty(ends);
        Assert.Equal(keys, diff.MissedKeys);
        Assert.Equal(keys.Count, read);
        Assert.All(ends, end => Assert.Contains(end, diff.MissedKeys));
    }

    [Fact]
    public async Task SeveralWindowsOfOneSideAreInFlightTogether()
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, "concurrent");
        var keys = Enumerable.Range(0, 3000).Select(i => $"/many/k{i:D5}").ToList();
        await server.PutAsync(keys.Select(k => (k, "v")));

        // The first three window requests of the primary wait for each other: were windows read one after the
        // other, the second would never come and the wait would fail.
        var arrived = 0;
        var allThere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Before(string side, CancellationToken cancellationToken)
        {
            if (side != "primary" || allThere.Task.IsCompleted)
            {
                return;
            }

            if (Interlocked.Increment(ref arrived) >= 3)
            {
                allThere.TrySetResult();
            }

            await allThere.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }

        var (diff, read) = await ScanAsync(server, "/many/", pageSize: 100, windows: 3, new ScanHooks { BeforeRequest = Before });

        Assert.True(allThere.Task.IsCompletedSuccessfully);
        Assert.Equal(keys, diff.MissedKeys);
        Assert.Equal(keys.Count, read);
    }

    [Fact]
    public async Task EveryWindowReadsTheRevisionOfTheFirstAnswer()
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, "pinned");
        var keys = Enumerable.Range(0, 2000).Select(i => $"/pin/k{i:D5}").ToList();
        await server.PutAsync(keys.Select(k => (k, "v")));
        var changed = false;

        // Once the first page is handed on (before any window is read), keys further on are deleted and added.
        void Change(string side, long read)
        {
            if (side != "primary" || changed)
            {
                return;
            }

            changed = true;
            using var client = server.OpenPlain();
            client.Kv.DeleteRange(new Etcdserverpb.DeleteRangeRequest { Key = ByteString.CopyFromUtf8("/pin/k01000"), RangeEnd = ByteString.CopyFromUtf8("/pin/k01100") }, client.Call(default));
            client.Kv.Put(new Etcdserverpb.PutRequest { Key = ByteString.CopyFromUtf8("/pin/k01500-new"), Value = ByteString.CopyFromUtf8("v") }, client.Call(default));
            client.Kv.Put(new Etcdserverpb.PutRequest { Key = ByteString.CopyFromUtf8("/pin/zzz-new"), Value = ByteString.CopyFromUtf8("v") }, client.Call(default));
        }

        var (diff, read) = await ScanAsync(server, "/pin/", pageSize: 50, windows: 3, new ScanHooks { PageRead = Change });

        Assert.True(changed);
        Assert.Equal(keys, diff.MissedKeys);
        Assert.Equal(keys.Count, read);

        // The changes did happen: a new scan sees them.
        var (after, _) = await ScanAsync(server, "/pin/", pageSize: 50, windows: 3);
        Assert.Equal(keys.Count - 100 + 2, after.PrimaryCount);
        Assert.True(after.PrimaryRevision > diff.PrimaryRevision);
    }

    [Fact]
    public async Task ASideFailingWithManyWindowsInFlightIsAnError()
    {
        await using var doomed = await EtcdTestServer.StartAsync(etcd.Pki, "doomed-windows");
        await doomed.PutAsync(Enumerable.Range(0, 600).Select(i => ($"/fail/k{i:D4}", "v")));
        var requests = 0;

        // The primary dies after a few window requests, while others are in flight.
        Task Before(string side, CancellationToken cancellationToken)
        {
            if (side == "primary" && Interlocked.Increment(ref requests) == 5)
            {
                doomed.Kill();
            }

            return Task.CompletedTask;
        }

        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => ScanAsync(doomed, "/fail/", pageSize: 10, windows: 8, new ScanHooks { BeforeRequest = Before }));

        Assert.Equal(ErrorIds.EtcdScanFailed, ex.ErrorId);
        Assert.Contains("primary", ex.Message);
        Assert.Contains("The comparison is incomplete", ex.Message);
        Assert.Equal(doomed.PlainEndpoint.ToString(), ex.Target);
    }

    [Fact]
    public async Task LongKeysMakeFewerKeysPerRequestNotLargerPagesAndEveryKeyIsReadOnce()
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, "longkeys");

        // Event-like names of 150 bytes with random hashes (seeded), as long as Kubernetes names get.
        var random = new Random(29);
        string Hash(int length) => new(Enumerable.Range(0, length).Select(_ => "bcdfghjklmnpqrstvwxz2456789"[random.Next(27)]).ToArray());
        var keys = Enumerable.Range(0, 1500)
            .Select(i => $"/long/eventrecords/team-{i % 7:D3}/session-token-refresher-{Hash(10)}-{Hash(5)}.{random.NextInt64():x16}")
            .Select(k => k + new string('x', 150 - k.Length))
            .Distinct()
            .ToList();
        await server.PutAsync(keys.Select(k => (k, "v")));

        // One window over the whole rest of the range: its first request returns exactly as many keys as a
        // request may, the largest page of the scan.
        var prefixEnd = KeyspaceScanner.PrefixEnd(ByteString.CopyFromUtf8("/long/"));
        async Task<(int Largest, List<string> Missed, long Read)> Scan(int maxPageBytes)
        {
            var pages = new List<long>();
            var hooks = new ScanHooks
            {
                CutWindow = (_, _, _) => prefixEnd,
                PageRead = (side, read) =>
                {
                    if (side == "primary")
                    {
                        pages.Add(read - pages.Sum());
                    }
                },
            };
            var (diff, read) = await ScanAsync(server, "/long/", pageSize: 20, windows: 1, hooks, maxPageBytes);
            return ((int)pages.Skip(1).Max(), diff.MissedKeys.ToList(), read);
        }

        // Without a byte bound a request may return twice the page size; with 4,500 bytes, about 27 keys of 150
        // bytes and their revisions; with a bound below one page's keys, still the page size (windows are cut for it).
        var (unbounded, missedUnbounded, readUnbounded) = await Scan(int.MaxValue);
        var (bounded, missedBounded, readBounded) = await Scan(4500);
        var (floor, missedFloor, readFloor) = await Scan(100);

        Assert.Equal(40, unbounded);
        Assert.InRange(bounded, 21, 4500 / 150);
        Assert.Equal(20, floor);
        foreach (var (missed, read) in new[] { (missedUnbounded, readUnbounded), (missedBounded, readBounded), (missedFloor, readFloor) })
        {
            Assert.Equal(ByteOrder(keys), missed);
            Assert.Equal(keys.Count, read); // no key read twice
        }
    }

    [Fact]
    public void WindowEndsStayAboveTheStartAndWithinTheRange()
    {
        var random = new Random(7);
        var rangeEnd = KeyspaceScanner.PrefixEnd(ByteString.CopyFromUtf8("/registry/"));
        var window = new KeyWindow(100);
        for (var i = 0; i < 2000; i++)
        {
            var start = ByteString.CopyFrom(Encoding.UTF8.GetBytes("/registry/").Concat(Enumerable.Range(0, random.Next(0, 200)).Select(_ => (byte)random.Next(0, 256))).ToArray());
            var end = window.End(start, rangeEnd);
            Assert.True(end.Span.SequenceCompareTo(start.Span) > 0);
            Assert.True(end.Span.SequenceCompareTo(rangeEnd.Span) <= 0);

            // Teach it what a window of random size held: its estimate moves, the bounds must hold whatever it is.
            var count = random.Next(0, 300);
            var page = KeyPage.Of(Enumerable.Range(0, Math.Min(count, 100)).Select(k => ($"/registry/{k:D3}", "")).ToList(), more: count > 100, total: count);
            window.Learn(start, end, page, overshoots: random.Next(0, 3));
            if (page.More && end.Span.SequenceCompareTo(rangeEnd.Span) < 0)
            {
                var narrower = window.End(start, end, count - 100, page);
                Assert.True(narrower.Span.SequenceCompareTo(start.Span) > 0);
                Assert.True(narrower.Span.SequenceCompareTo(end.Span) <= 0);
            }
        }
    }

    /// <summary>
    /// How well the estimate cuts windows, on the real scanner and a real etcd: every key shape of
    /// <see cref="KeyScaleTests.Shapes"/> is read with one window in flight, and the scanner's own counters say how
    /// many range requests it made and how many index entries etcd walked for them (etcd's count of every window).
    /// One walk of every key is the least possible; the first request's walk of everything comes on top.
    /// </summary>
    [Fact]
    public async Task WindowsOverManyKeyShapesWalkLittleMoreThanEveryKeyOnce()
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, "shapes");
        const int pageSize = 100;
        var shapes = KeyScaleTests.Shapes(new Random(3), 6000).Select((shape, i) =>
        {
            var prefix = Encoding.UTF8.GetBytes($"/shape{i}");
            var keys = shape.Keys.Select(k => prefix.Concat(k).ToArray()).Distinct(new KeyScaleTests.BytesComparer()).ToList();
            return (shape.Name, Prefix: $"/shape{i}/registry/", Keys: keys);
        }).ToList();
        await server.PutAsync(shapes.SelectMany(s => s.Keys).Select(k => (UnsafeByteOperations.UnsafeWrap(k), ByteString.CopyFromUtf8("v"))));

        var failures = new List<string>();
        foreach (var (name, prefix, keys) in shapes)
        {
            var options = new EtcdClientOptions("primary", [server.PlainEndpoint], Timeout: TimeSpan.FromSeconds(60));
            var scanner = new KeyspaceScanner(options, EtcdTlsMaterial.Load(options), prefix, withValues: false, pageSize, activityId: 1, new PageBuffers()) { WindowsInFlight = 1 };
            var read = (await ScannerRun.ReadKeysAsync(scanner)).Count;

            Assert.Equal(keys.Count, read);
            var windows = scanner.KeysWalked - keys.Count; // beyond the first request's walk of everything
            var line = $"{name}: {keys.Count} keys, {scanner.Requests} requests, the windows walked {windows} ({(double)windows / keys.Count:0.00} per key)";
            output.WriteLine(line);
            // Measured with the scanner's loop in memory, 2026-11-30 (pages of 2x the page size): 0.98–1.48 walks per
            // key for names (numbered, hashed, UUIDs, long shared prefixes), 3.1–3.4 for a dense namespace in a sparse
            // background and random binary keys, 5.0 for resources of very different sizes. The bound catches an
            // estimate gone wrong.
            if (windows > 6 * keys.Count || scanner.Requests > 6 * keys.Count / (pageSize * 3 / 4))
            {
                failures.Add(line);
            }
        }

        Assert.Empty(failures);
    }

    private async Task<(EtcdKeyspaceDiff Diff, long PrimaryRead)> ScanAsync(EtcdTestServer primary, string prefix, int pageSize, int windows, ScanHooks? hooks = null, int maxPageBytes = KeyspaceScanner.DefaultMaxPageBytes)
    {
        long read = 0;
        var counting = new ScanHooks
        {
            CutWindow = hooks?.CutWindow,
            BeforeRequest = hooks?.BeforeRequest,
            PageRead = (side, keys) =>
            {
                if (side == "primary")
                {
                    read = keys;
                }

                hooks?.PageRead?.Invoke(side, keys);
            },
        };
        var request = new EtcdKeyspaceRequest(
            new EtcdClientOptions("primary", [primary.PlainEndpoint], Timeout: TimeSpan.FromSeconds(30)),
            new EtcdClientOptions("standby", [etcd.Standby.PlainEndpoint], Timeout: TimeSpan.FromSeconds(30)),
            prefix,
            [],
            PageSize: pageSize,
            MaxKeys: 100000)
        { WindowsInFlight = windows, MaxPageBytes = maxPageBytes };
        var diff = await EtcdKeyspaceComparer.CompareAsync(request, counting, default);
        return (diff, read);
    }

    /// <summary>Keys in etcd's order: their UTF-8 bytes compared.</summary>
    internal static List<string> ByteOrder(IEnumerable<string> keys) =>
        keys.Select(Encoding.UTF8.GetBytes).Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).Select(Encoding.UTF8.GetString).ToList();
}
