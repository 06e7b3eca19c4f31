using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Etcd;
using Xunit;

namespace GlobalUpgrade.Tests.Etcd;

public sealed class KeyspaceMergerTests
{
    private static readonly EtcdKeyMatcher NoExclusions = new([]);

    [Fact]
    public async Task BothEmpty()
    {
        var result = await Merge([], []);
        Assert.Empty(result.Missed);
        Assert.Empty(result.Surplus);
        Assert.Equal(0, result.PrimaryCompared + result.StandbyCompared);
    }

    [Fact]
    public async Task PrimaryEmptyMakesEveryStandbyKeySurplus()
    {
        var result = await Merge([], [["/a", "/b"], ["/c"]]);
        Assert.Equal(["/a", "/b", "/c"], result.Surplus);
        Assert.Equal(3, result.SurplusCount);
        Assert.Empty(result.Missed);
    }

    [Fact]
    public async Task StandbyEmptyMakesEveryPrimaryKeyMissed()
    {
        var result = await Merge([["/a"], ["/b", "/c"]], [[]]);
        Assert.Equal(["/a", "/b", "/c"], result.Missed);
        Assert.Equal(3, result.PrimaryCompared);
    }

    [Fact]
    public async Task EqualSidesWithDifferentPagingAreEqual()
    {
        var result = await Merge([["/a", "/b", "/c", "/d"]], [["/a"], ["/b", "/c"], ["/d"]]);
        Assert.Equal(0, result.MissedCount + result.SurplusCount);
        Assert.Equal(4, result.PrimaryCompared);
        Assert.Equal(4, result.StandbyCompared);
    }

    [Fact]
    public async Task InterleavedKeys()
    {
        var result = await Merge([["/a", "/c"], ["/e", "/g"]], [["/b", "/c", "/d"], ["/g", "/h"]]);
        Assert.Equal(["/a", "/e"], result.Missed);
        Assert.Equal(["/b", "/d", "/h"], result.Surplus);
    }

    [Fact]
    public async Task AKeyRepeatedAcrossPagesCountsOnce()
    {
        var result = await Merge([["/a", "/b"], ["/b", "/c"]], [["/a", "/b", "/c"]]);
        Assert.Equal(0, result.MissedCount + result.SurplusCount);
        Assert.Equal(3, result.PrimaryCompared);
    }

    [Fact]
    public async Task KeysOutOfOrderStopTheComparison()
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => Merge([["/b"], ["/a"]], [["/a", "/b"]]));
        Assert.Equal(ErrorIds.EtcdKeyOrderViolated, ex.ErrorId);
        Assert.Contains("primary", ex.Message);
    }

    [Fact]
    public async Task KeysCompareAsBytesNotAsUtf16()
    {
        // U+FF61 is EF BD A1 in UTF-8, the emoji F0 9F 98 80: byte order puts U+FF61 first, UTF-16 order the emoji.
        var halfwidth = "/k/\uFF61";
        var emoji = "/k/😀";
        var result = await Merge([[halfwidth, emoji]], [[halfwidth, emoji]]);
        Assert.Equal(0, result.MissedCount + result.SurplusCount);
        var missing = await Merge([[halfwidth, emoji]], [[emoji]]);
        Assert.Equal([halfwidth], missing.Missed);
        Assert.Empty(missing.Surplus);
    }

    [Fact]
    public async Task ListsAreCappedButCountsAreNot()
    {
        var primary = Enumerable.Range(0, 250).Select(i => $"/k/{i:D4}").ToArray();
        var result = await Merge([primary[..100], primary[100..]], [], maxKeys: 10);
        Assert.Equal(10, result.Missed.Count);
        Assert.Equal(250, result.MissedCount);
        Assert.Equal("/k/0009", result.Missed[^1]);
    }

    [Fact]
    public async Task ExcludedKeysAreCountedNotCompared()
    {
        var matcher = new EtcdKeyMatcher(["/registry/events/", "namespace:kube-system"]);
        var result = await Merge(
            [["/registry/events/app/e", "/registry/pods/app/a", "/registry/pods/kube-system/x"]],
            [["/registry/pods/app/a", "/registry/pods/kube-system/y"]],
            matcher);
        Assert.Equal(0, result.MissedCount + result.SurplusCount);
        Assert.Equal(3, result.Excluded);
        Assert.Equal(1, result.PrimaryCompared);
    }

    [Fact]
    public async Task ValuesAreComparedOnlyWhenAsked()
    {
        KeyPage Primary() => KeyPage.Of([("/a", "1"), ("/b", "2"), ("/c", "3")]);
        KeyPage Standby() => KeyPage.Of([("/a", "1"), ("/b", "two"), ("/c", "3")]);
        var keysOnly = await new KeyspaceMerger(NoExclusions, false, 100).MergeAsync(new[] { Primary() }.ToAsyncEnumerable(), new[] { Standby() }.ToAsyncEnumerable(), default);
        Assert.Equal(0, keysOnly.ChangedCount);
        var withValues = await new KeyspaceMerger(NoExclusions, true, 100).MergeAsync(new[] { Primary() }.ToAsyncEnumerable(), new[] { Standby() }.ToAsyncEnumerable(), default);
        Assert.Equal(["/b"], withValues.Changed);
    }

    [Fact]
    public async Task AFailingSideFailsTheMerge()
    {
        var ex = await Assert.ThrowsAsync<IOException>(() =>
            new KeyspaceMerger(NoExclusions, false, 100).MergeAsync(Failing(), Pages([["/a", "/b"]]), default));
        Assert.Equal("gone", ex.Message);
    }

    [Fact]
    public async Task RepeatsAndOrderAreCheckedAcrossPagesAndWithinThem()
    {
        var repeated = await Merge([["/a", "/a", "/b"], ["/b"], [], ["/b", "/c"]], [["/a", "/b", "/c"]]);
        Assert.Equal(0, repeated.MissedCount + repeated.SurplusCount);
        Assert.Equal(3, repeated.PrimaryCompared);
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => Merge([["/a", "/c"], [], ["/b"]], [["/a"]]));
        Assert.Equal(ErrorIds.EtcdKeyOrderViolated, ex.ErrorId);
        Assert.Contains("'/b' after '/c'", ex.Message);
    }

    private static async IAsyncEnumerable<KeyPage> Failing()
    {
        yield return KeyPage.Of([("/a", "")]);
        await Task.Yield();
        throw new IOException("gone");
    }

    private static Task<MergeResult> Merge(string[][] primary, string[][] standby, EtcdKeyMatcher? matcher = null, int maxKeys = 1000) =>
        new KeyspaceMerger(matcher ?? NoExclusions, false, maxKeys).MergeAsync(Pages(primary), Pages(standby), default);

    private static IAsyncEnumerable<KeyPage> Pages(string[][] pages) =>
        pages.Select(p => KeyPage.Of(p.Select(k => (k, "")).ToList())).ToAsyncEnumerable();
}

internal static class AsyncEnumerableTestExtensions
{
    public static async IAsyncEnumerable<T> ToAsyncEnumerable<T>(this IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }
}
