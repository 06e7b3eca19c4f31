using System.Diagnostics;
using System.Text;
using System.Text.Json;
using GlobalUpgrade.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

/// <summary>
/// Secret masking, specified once (tests/fixtures/masking/vectors.json) and held against both implementations: the
/// in-process LogSink (a log followed here) and the node's mask.sh (a run started with secrets), run as shipped with
/// every awk this machine has — nodes run whichever awk they have.
/// </summary>
public sealed class MaskingVectorsTests
{
    private sealed record Vector(string Name, string[] Secrets, string Input, string Expected);

    private static readonly Dictionary<string, Vector> Vectors = Load();

    public static TheoryData<string> Names => new(Vectors.Keys);

    private static Dictionary<string, Vector> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Root, "tests/fixtures/masking/vectors.json")));
        return document.RootElement.GetProperty("vectors").EnumerateArray()
            .Select(v => new Vector(
                v.GetProperty("name").GetString()!,
                v.GetProperty("secrets").EnumerateArray().Select(s => s.GetString()!).ToArray(),
                v.GetProperty("input").GetString()!,
                v.GetProperty("expected").GetString()!))
            .ToDictionary(v => v.Name, StringComparer.Ordinal);
    }

    [Fact]
    public void TheVectorsAreWholeLines()
    {
        Assert.NotEmpty(Vectors);
        Assert.All(Vectors.Values, v => Assert.True(v.Input.EndsWith('\n') && v.Expected.EndsWith('\n'), $"{v.Name}: input and expected end with a line break"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void LogSinkMasksAsSpecified(string name)
    {
        var vector = Vectors[name];
        var input = Encoding.UTF8.GetBytes(vector.Input);
        // Whole, then one byte per write: how the log arrives must not change what it shows.
        foreach (var chunk in new[] { input.Length, 1 })
        {
            var path = Path.Combine(TestPaths.NewTempFolder(), "log");
            using (var sink = new LogSink(path, vector.Secrets))
            {
                for (var i = 0; i < input.Length; i += chunk)
                {
                    sink.Write(input, i, Math.Min(chunk, input.Length - i));
                }
            }

            Assert.Equal(vector.Expected, File.ReadAllText(path, Encoding.UTF8));
            Directory.Delete(Path.GetDirectoryName(path)!, true);
        }
    }

    [Fact]
    public void LogSinkWritesAnEndlessLineMaskedWithoutWaitingForItsEnd()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "log");
        var piece = Encoding.UTF8.GetBytes("progress hunter22 ");
        var pieces = (LogSink.MaxOpenLine * 3 / piece.Length) + 1;
        using (var sink = new LogSink(path, ["hunter22"]))
        {
            // Chunks that cut the secret anywhere, and no line end for three times what a line may hold open.
            var line = Enumerable.Repeat(piece, pieces).SelectMany(b => b).ToArray();
            for (var i = 0; i < line.Length; i += 4093)
            {
                sink.Write(line, i, Math.Min(4093, line.Length - i));
            }

            sink.Flush();
            Assert.True(new FileInfo(path).Length >= LogSink.MaxOpenLine, "the open line was written before its end");
        }

        Assert.Equal(string.Concat(Enumerable.Repeat("progress ******** ", pieces)), File.ReadAllText(path));
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task TheNodeMaskScriptMasksAsSpecified(string name)
    {
        var vector = Vectors[name];
        var folder = TestPaths.NewTempFolder();
        var script = Path.Combine(folder, "mask");
        await File.WriteAllTextAsync(script, NodeScript.Text(NodeScript.Mask));
        var awks = Awks();
        Assert.NotEmpty(awks);
        foreach (var awk in awks)
        {
            // The script runs "awk": this one, first on the PATH.
            var bin = Directory.CreateDirectory(Path.Combine(folder, Path.GetFileName(awk))).FullName;
            File.CreateSymbolicLink(Path.Combine(bin, "awk"), awk);
            var output = await RunAsync(script, bin, vector);
            Assert.True(vector.Expected == output, $"{Path.GetFileName(awk)} masked '{vector.Input}' with [{string.Join(", ", vector.Secrets)}] as '{output}', expected '{vector.Expected}'");
        }

        Directory.Delete(folder, true);
    }

    private static async Task<string> RunAsync(string script, string bin, Vector vector)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(LogSink.Mask);
        info.ArgumentList.Add(LogSink.ShortSecretLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // As the wrapper passes them: by name, values only in the environment.
        var names = vector.Secrets.Select((_, i) => $"GU_SECRET_{i}").ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            info.Environment[names[i]] = vector.Secrets[i];
        }

        info.Environment["GU_MASK_NAMES"] = " " + string.Join(' ', names);
        info.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(info)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(vector.Input));
        process.StandardInput.Close();
        await copy;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"mask.sh exited with {process.ExitCode}: {await error}");
        return Encoding.UTF8.GetString(stdout.ToArray());
    }

    // Every awk implementation here, once (awk is often a link to one of the others; /bin may be /usr/bin).
    private static readonly string[] AwkNames = ["awk", "mawk", "gawk", "original-awk", "nawk"];

    private static string[] Awks() =>
        AwkNames
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Select(dir => Path.Combine(dir, name)))
            .Where(File.Exists)
            .Select(path => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path)
            .DistinctBy(Path.GetFileName, StringComparer.Ordinal)
            .ToArray();
}
