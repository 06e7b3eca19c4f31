using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

/// <summary>
/// The node's choice of compressor (by what its PATH holds) and the decoding here, with the real zstd and gzip: a log
/// sent as several frames (one per read of the log, some of them empty: a quiet tick) arrives byte for byte.
/// </summary>
public sealed class LogTransferTests
{
    [Theory]
    [InlineData("zstd zstd gzip cat", "zstd")]
    [InlineData("gzip gzip cat", "gzip")]
    [InlineData("none cat", "none")]
    public async Task TheNodePicksWhatItHasAndTheLogArrivesWhole(string tools, string expected)
    {
        var folder = TestPaths.NewTempFolder();
        var bin = Directory.CreateDirectory(Path.Combine(folder, "bin")).FullName;
        foreach (var tool in tools.Split(' ').Skip(1))
        {
            File.CreateSymbolicLink(Path.Combine(bin, tool), Which(tool));
        }

        // About 1.5 MB that is not all alike (frames cross the decoders' buffers), then two short lines.
        var log = Path.Combine(folder, "log");
        var text = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            text.Append('[').Append(i % 340).Append("/340] pushing image registry.example:60080/acp/image-").Append(i * 7919 % 100_003).Append(":v4.3.0\n");
        }

        await File.WriteAllTextAsync(log, text.ToString());
        var script = $"""
            export PATH={RemoteHost.Quote(bin)}
            {LogTransfer.NodeFunctions}
            gu_select_pack yes
            gu_pack < {RemoteHost.Quote(log)}
            : | gu_pack
            printf 'quiet, then one line\n' | gu_pack
            : | gu_pack
            printf 'last line\n' | gu_pack
            """;
        using var host = new LocalHost();

        using var raw = new MemoryStream();
        Assert.Equal(0, (await host.ExecuteAsync(script, default, raw, CancellationToken.None)).ExitCode);
        var header = Encoding.ASCII.GetString(raw.ToArray().TakeWhile(b => b != '\n').ToArray());
        Assert.Equal("GU-ENCODING " + expected, header);

        using var decoded = new MemoryStream();
        var result = await host.ExecuteAsync(script, default, decoded, CancellationToken.None, LogTransfer.Decode);
        Assert.Equal(0, result.ExitCode);
        var expectedBytes = Encoding.ASCII.GetBytes(text + "quiet, then one line\nlast line\n");
        Assert.Equal(expectedBytes.Length, decoded.Length);
        Assert.True(expectedBytes.AsSpan().SequenceEqual(decoded.ToArray()), "the decoded log differs from the node's");
        if (expected != "none")
        {
            Assert.True(raw.Length < expectedBytes.Length / 4, $"compressed with {expected}: {raw.Length} bytes sent for {expectedBytes.Length}");
        }
    }

    [Fact]
    public async Task ThisMachineCopiesAsItIs()
    {
        using var host = new LocalHost();
        using var raw = new MemoryStream();
        await host.ExecuteAsync($"{LogTransfer.NodeFunctions}\ngu_select_pack no\nprintf 'x\\n' | gu_pack", default, raw, CancellationToken.None);
        Assert.Equal("GU-ENCODING none\nx\n", Encoding.ASCII.GetString(raw.ToArray()));
    }

    [Fact]
    public void NothingSentIsAnEmptyLog()
    {
        using var decoded = LogTransfer.Decode(new MemoryStream());
        Assert.Equal(-1, decoded.ReadByte());
    }

    [Theory]
    [InlineData("GU-ENCODING brotli\nabc")]
    [InlineData("some text the script printed\n")]
    [InlineData("GU-ENCODING zstd and then a line far too long to be the header that the node prints first")]
    public void AnythingElseIsRefused(string sent)
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => LogTransfer.Decode(new MemoryStream(Encoding.ASCII.GetBytes(sent))));
        Assert.Equal(ErrorIds.RunStateInvalid, ex.ErrorId);
    }

    private static string Which(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"'{tool}' is not installed: apt-get install {tool} (./build.ps1 -Task Bootstrap installs it as root on Debian).");
    }
}
