using System.Net;
using System.Net.Sockets;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Etcd;
using Xunit;

namespace GlobalUpgrade.Tests.Etcd;

[Collection(EtcdCollection.Name)]
public sealed class EtcdKeyspaceComparerTests(EtcdPairFixture etcd)
{
    [Fact]
    public async Task TlsWithClientCertificatesFindsTheKnownDifferences()
    {
        var diff = await EtcdKeyspaceComparer.CompareAsync(Request(tls: true, compareValues: true, pageSize: 7), default);

        Assert.Equal(EtcdPairFixture.Missed, diff.MissedKeys);
        Assert.Equal(EtcdPairFixture.Surplus, diff.SurplusKeys);
        Assert.Equal([EtcdPairFixture.ChangedKey], diff.ChangedKeys);
        Assert.Contains(EtcdPairFixture.NonAsciiMissedKey, diff.MissedKeys);
        Assert.Contains(EtcdPairFixture.LongMissedKey, diff.MissedKeys);
        Assert.False(diff.IsConsistent);
        Assert.False(diff.IsTruncated);
        Assert.True(diff.PrimaryRevision > 0);
        Assert.True(diff.StandbyRevision > 0);
        var common = EtcdPairFixture.CommonCount + 4; // long, non-ASCII, namespace app, changed
        Assert.Equal(common + EtcdPairFixture.Missed.Length, diff.PrimaryCount);
        Assert.Equal(common + EtcdPairFixture.Surplus.Length, diff.StandbyCount);
        Assert.Equal(EtcdPairFixture.ExcludedDifferences.Length + 2, diff.ExcludedCount); // + kube-system/both on each side
        Assert.Equal(etcd.Primary.TlsEndpoint.ToString(), diff.PrimaryEndpoint);
    }

    [Fact]
    public async Task PlainHttpKeysOnlyGivesTheSameKeysAndNoValueDifferences()
    {
        var diff = await EtcdKeyspaceComparer.CompareAsync(Request(tls: false), default);
        Assert.Equal(EtcdPairFixture.Missed, diff.MissedKeys);
        Assert.Equal(EtcdPairFixture.Surplus, diff.SurplusKeys);
        Assert.Empty(diff.ChangedKeys);
        Assert.False(diff.ValuesCompared);
    }

    [Fact]
    public async Task WithoutExclusionsTheExcludedDifferencesShow()
    {
        var diff = await EtcdKeyspaceComparer.CompareAsync(Request(tls: false) with { Exclusions = [] }, default);
        Assert.Equal(0, diff.ExcludedCount);
        Assert.Equal(EtcdPairFixture.Missed.Length + EtcdPairFixture.ExcludedDifferences.Count(e => e.Primary), diff.MissedCount);
        Assert.Contains("/registry/namespaces/cpaas-system", diff.MissedKeys);
        Assert.Contains("/registry/events/app/e1", diff.SurplusKeys);
    }

    [Fact]
    public async Task APrefixWithoutDifferencesIsConsistent()
    {
        var diff = await EtcdKeyspaceComparer.CompareAsync(Request(tls: false, compareValues: true) with { Prefix = "/registry/namespaces/" }, default);
        Assert.True(diff.IsConsistent);
        Assert.Equal(1, diff.PrimaryCount);
    }

    [Fact]
    public async Task ListsAreCappedAndSaySo()
    {
        var diff = await EtcdKeyspaceComparer.CompareAsync(Request(tls: false) with { MaxKeys = 2 }, default);
        Assert.Equal(2, diff.MissedKeys.Count);
        Assert.Equal(EtcdPairFixture.Missed.Length, diff.MissedCount);
        Assert.True(diff.IsTruncated);
    }

    [Fact]
    public async Task AWrongCaIsASecurityErrorNamingTheCa()
    {
        var request = Request(tls: true);
        request = request with { Standby = request.Standby with { CaPath = etcd.Pki.OtherCaPath } };
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => EtcdKeyspaceComparer.CompareAsync(request, default));
        Assert.Equal(ErrorIds.EtcdConnectionFailed, ex.ErrorId);
        Assert.Equal(FailureCategory.SecurityError, ex.Category);
        Assert.Contains(etcd.Pki.OtherCaPath, ex.Message);
        Assert.Contains("standby", ex.Message);
    }

    [Fact]
    public async Task AMissingCertificateFileIsAnArgumentError()
    {
        var request = Request(tls: true);
        request = request with { Primary = request.Primary with { CertificatePath = "/nonexistent/client.crt" } };
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => EtcdKeyspaceComparer.CompareAsync(request, default));
        Assert.Equal(ErrorIds.EtcdCertificateFileNotFound, ex.ErrorId);
        Assert.Equal(FailureCategory.ObjectNotFound, ex.Category);
    }

    [Fact]
    public async Task AFailedMemberIsReplacedByTheNextEndpointOfTheSameCluster()
    {
        var closed = new Uri($"http://127.0.0.1:{EtcdTestServer.FreePort()}");
        var request = Request(tls: false);
        request = request with { Primary = request.Primary with { Endpoints = [closed, etcd.Primary.PlainEndpoint] } };
        var diff = await EtcdKeyspaceComparer.CompareAsync(request, default);
        Assert.Equal(EtcdPairFixture.Missed, diff.MissedKeys);
        Assert.Equal(etcd.Primary.PlainEndpoint.ToString(), diff.PrimaryEndpoint);
    }

    [Fact]
    public async Task EtcdKilledMidScanIsAnErrorNotAShorterList()
    {
        await using var doomed = await EtcdTestServer.StartAsync(etcd.Pki, "doomed");
        await doomed.PutAsync(Enumerable.Range(0, 200).Select(i => ($"/registry/pods/app/k{i:D4}", "v")));
        var request = Request(tls: false, pageSize: 20);
        request = request with { Primary = request.Primary with { Endpoints = [doomed.PlainEndpoint] } };

        long killedAt = 0;
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => EtcdKeyspaceComparer.CompareAsync(
            request,
            new ScanHooks
            {
                PageRead = (side, keys) =>
                {
                    if (side == "primary" && keys >= 40 && killedAt == 0)
                    {
                        killedAt = keys;
                        doomed.Kill();
                    }
                },
            },
            default));

        Assert.Equal(ErrorIds.EtcdScanFailed, ex.ErrorId);
        Assert.Contains(doomed.PlainEndpoint.ToString(), ex.Message);

        // Windows already answered before the kill are still handed on in order; the message names where the
        // in-order output stopped: N keys, the last being the N-th key.
        var match = System.Text.RegularExpressions.Regex.Match(ex.Message, @"after ([\d,]+) keys \(revision \d+, last key read '([^']+)'\)");
        Assert.True(match.Success, ex.Message);
        var readBeforeFailure = long.Parse(match.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.CurrentCulture);
        Assert.InRange(readBeforeFailure, killedAt, 199);
        Assert.Equal($"/registry/pods/app/k{readBeforeFailure - 1:D4}", match.Groups[2].Value);
        Assert.Equal(doomed.PlainEndpoint.ToString(), ex.Target);
    }

    [Fact]
    public async Task ARevisionCompactedMidScanIsAnErrorNotAShorterList()
    {
        await using var busy = await EtcdTestServer.StartAsync(etcd.Pki, "compacted");
        await busy.PutAsync(Enumerable.Range(0, 100).Select(i => ($"/registry/pods/app/k{i:D4}", "v")));
        var request = Request(tls: false, pageSize: 10);
        request = request with { Primary = request.Primary with { Endpoints = [busy.PlainEndpoint] } };
        long compactedAt = 0;

        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => EtcdKeyspaceComparer.CompareAsync(
            request,
            new ScanHooks
            {
                PageRead = (side, keys) =>
                {
                    if (side == "primary" && keys >= 10 && compactedAt == 0)
                    {
                        compactedAt = keys;

                        // Another write, then a compaction past the revision the scan is pinned to (the first page is
                        // handed on before any window is read, so every later request meets the compaction).
                        using var client = busy.OpenPlain();
                        var put = client.Kv.Put(new Etcdserverpb.PutRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("/registry/pods/app/late"), Value = Google.Protobuf.ByteString.CopyFromUtf8("v") }, client.Call(default));
                        client.Kv.Compact(new Etcdserverpb.CompactionRequest { Revision = put.Header.Revision, Physical = true }, client.Call(default));
                    }
                },
            },
            default));

        Assert.Equal(ErrorIds.EtcdRevisionCompacted, ex.ErrorId);
        Assert.Contains($"after {compactedAt:N0} keys", ex.Message);
        Assert.Contains("compacted", ex.Message);
    }

    [Fact]
    public async Task WindowedPagesCoverEveryKeyWhateverTheKeyShapes()
    {
        await using var server = await EtcdTestServer.StartAsync(etcd.Pki, "shapes");
        // Dense decimal runs with gaps between them, a sparse tail, keys sharing more than 128 bytes, non-ASCII.
        var keys = Enumerable.Range(0, 1500).Select(i => $"/registry/configmaps/team-{i % 50:D4}/app-config-{i:D8}")
            .Concat(Enumerable.Range(0, 40).Select(i => $"/registry/zz/{new string('q', i * 7)}"))
            .Concat(Enumerable.Range(0, 60).Select(i => $"/registry/secrets/app/{new string('s', 200)}{i:D3}"))
            .Concat(["/registry/\u00ff", "/registry/ключ", "/registry/a"])
            .ToList();
        await server.PutAsync(keys.Select(k => (k, "v")));
        foreach (var pageSize in new[] { 3, 100, 5000 })
        {
            var request = new EtcdKeyspaceRequest(
                new EtcdClientOptions("primary", [server.PlainEndpoint]),
                new EtcdClientOptions("standby", [etcd.Standby.PlainEndpoint]),
                "/registry/", [], PageSize: pageSize, MaxKeys: 5000);
            var diff = await EtcdKeyspaceComparer.CompareAsync(request, default);
            Assert.Equal(keys.Count, diff.PrimaryCount);
            Assert.Equal(keys.Order(StringComparer.Ordinal), diff.MissedKeys); // BMP only: UTF-16 ordinal = UTF-8 byte order
        }
    }

    [Fact]
    public void WindowEndsAreAboveTheirStart()
    {
        foreach (var start in new[] { "/registry/", "/registry/pods/a", "/registry/" + new string('x', 300), "/registry/\u00ff\u00ff" })
        {
            var key = Google.Protobuf.ByteString.CopyFromUtf8(start);
            var window = new KeyWindow(100);
            var end = window.End(key, KeyspaceScanner.PrefixEnd(Google.Protobuf.ByteString.CopyFromUtf8("/registry/")));
            Assert.True(end.Span.SequenceCompareTo(key.Span) > 0, start);
        }
    }

    [Fact]
    public async Task AnEndpointThatNeverAnswersTimesOut()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (in the backlog) and never answers
        var endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        var request = Request(tls: false);
        request = request with { Standby = new EtcdClientOptions("standby", [endpoint], Timeout: TimeSpan.FromSeconds(1)) };
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => EtcdKeyspaceComparer.CompareAsync(request, default));
        Assert.Equal(ErrorIds.EtcdConnectionFailed, ex.ErrorId);
        Assert.Equal(FailureCategory.OperationTimeout, ex.Category);
    }

    private EtcdKeyspaceRequest Request(bool tls, bool compareValues = false, int pageSize = 5) =>
        new(Side("primary", etcd.Primary, tls), Side("standby", etcd.Standby, tls), "/registry/", EtcdExclusions.DefaultRules, compareValues, pageSize);

    private EtcdClientOptions Side(string role, EtcdTestServer server, bool tls) =>
        tls
            ? new(role, [server.TlsEndpoint], etcd.Pki.ClientCertificatePath, etcd.Pki.ClientKeyPath, etcd.Pki.CaPath, Timeout: TimeSpan.FromSeconds(10))
            : new(role, [server.PlainEndpoint], Timeout: TimeSpan.FromSeconds(10));
}
