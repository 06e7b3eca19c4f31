using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using Xunit;

namespace GlobalUpgrade.Tests.EtcdSync;

public sealed class SyncCheckParserTests
{
    public static TheoryData<string, string[], string[]> ReadableBodies => new()
    {
        { "LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\n", [], [] },
        { "LOCAL ETCD missed keys:\n/registry/a\n/registry/b\nLOCAL ETCD surplus keys:\n/registry/c\n", ["/registry/a", "/registry/b"], ["/registry/c"] },
        { "LOCAL ETCD surplus keys:\r\n/registry/c\r\n\r\nLOCAL ETCD missed keys:\r\n  /registry/a  \r\n", ["/registry/a"], ["/registry/c"] },
        { "\n\n  LOCAL ETCD missed keys:  \n\n\nLOCAL ETCD surplus keys:", [], [] },
        { "LOCAL ETCD missed keys:\n/registry/x/é/ü\n/registry/y\n\tLOCAL ETCD surplus keys:\t\n", ["/registry/x/é/ü", "/registry/y"], [] },
    };

    [Theory]
    [MemberData(nameof(ReadableBodies))]
    public async Task ReadsBothSectionsWhateverTheirLayout(string body, string[] missed, string[] surplus)
    {
        var report = await SyncCheckParser.ParseAsync(new StringReader(body), "test", default);
        Assert.Equal(missed, report.MissedKeys);
        Assert.Equal(surplus, report.SurplusKeys);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("<html><body><h1>502 Bad Gateway</h1></body></html>")]
    [InlineData("LOCAL ETCD missed keys:\n/registry/a\n")]
    [InlineData("LOCAL ETCD surplus keys:\n")]
    [InlineData("/registry/a\nLOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\n")]
    [InlineData("LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\nerror: context deadline exceeded\n")]
    [InlineData("LOCAL ETCD missed keys:\nLOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\n")]
    [InlineData("{\"kind\":\"Status\",\"code\":503}")]
    [InlineData("LOCAL ETCD missed keys: 3\n/registry/a\n/registry/b\n/registry/c\nLOCAL ETCD surplus keys:\n")]
    [InlineData("LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys: 0\n")]
    [InlineData("LOCAL ETCD missed keys: (truncated)\nLOCAL ETCD surplus keys:\n")]
    [InlineData("local etcd missed keys:\nLOCAL ETCD surplus keys:\n")]
    [InlineData("LOCAL ETCD missed keys (2):\n/registry/a\n/registry/b\nLOCAL ETCD surplus keys:\n")]
    [InlineData("ETCD missed keys:\nETCD surplus keys:\n")]
    [InlineData("LOCAL  ETCD missed keys:\nLOCAL ETCD surplus keys:\n")]
    [InlineData("LOCAL ETCD missed keys:\n/registry/a /registry/b\nLOCAL ETCD surplus keys:\n")]
    [InlineData("LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\nLOCAL ETCD surplus keys:\n")]
    [InlineData("LOCAL ETCD missed keys:\nLOCAL ETCD surplus keys:\nREMOTE ETCD missed keys:\n")]
    public async Task AnythingItCannotAccountForIsUnreadableNeverInSync(string body)
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => SyncCheckParser.ParseAsync(new StringReader(body), "http://monitor/check", default));
        Assert.Equal(ErrorIds.SyncReportUnreadable, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidData, ex.Category);
        Assert.Contains("UNKNOWN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamsALargeReport()
    {
        var body = new System.Text.StringBuilder("LOCAL ETCD missed keys:\n");
        for (var i = 0; i < 100_000; i++)
        {
            body.Append("/registry/configmaps/ns").Append(i % 97).Append("/cm-").Append(i).Append('\n');
        }

        body.Append("LOCAL ETCD surplus keys:\n/registry/secrets/x/y\n");
        var report = await SyncCheckParser.ParseAsync(new StringReader(body.ToString()), "test", default);
        Assert.Equal(100_000, report.MissedKeys.Count);
        Assert.Equal($"/registry/configmaps/ns{99_998 % 97}/cm-99998", report.MissedKeys[99_998]);
        Assert.Single(report.SurplusKeys);
    }

    /// <summary>The parser reads in blocks of 64 K characters: a "\r\n" split between two blocks ends one line, and a line longer than a block is one key.</summary>
    [Theory]
    [InlineData(65536 - 1)]
    [InlineData(65536)]
    [InlineData(65536 + 1)]
    public async Task LinesAcrossReadBlocksAreWholeAndCrLfCountsOnce(int firstLineLength)
    {
        var longKey = "/registry/configmaps/long/" + new string('k', 100_000);
        var heading = "LOCAL ETCD missed keys:";
        var padding = new string(' ', firstLineLength - heading.Length); // the heading line ends at the block's end
        var body = heading + padding + "\r\n/registry/a\r\n" + longKey + "\r\nLOCAL ETCD surplus keys:\r\n\r\n/registry/b";
        var report = await SyncCheckParser.ParseAsync(new StringReader(body), "test", default);
        Assert.Equal(["/registry/a", longKey], report.MissedKeys);
        Assert.Equal(["/registry/b"], report.SurplusKeys);

        // Line numbers count "\r\n" once, wherever the blocks end: the bad line is the fifth.
        var bad = heading + padding + "\r\n/registry/a\r\nLOCAL ETCD surplus keys:\r\n\r\nnot a key\r\n";
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => SyncCheckParser.ParseAsync(new StringReader(bad), "test", default));
        Assert.Contains("line 5 ", ex.Message, StringComparison.Ordinal);
    }
}
