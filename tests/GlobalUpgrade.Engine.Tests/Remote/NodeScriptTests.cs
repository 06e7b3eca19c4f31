using GlobalUpgrade.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

public sealed class NodeScriptTests
{
    [Fact]
    public void TheEngineEmbedsExactlyTheScriptFilesAsTheyAre()
    {
        var folder = Path.Combine(TestPaths.Root, "src/GlobalUpgrade.Engine/Remote/Scripts");
        var files = Directory.GetFiles(folder, "*.sh").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var embedded = typeof(NodeScript).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(NodeScript.ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[NodeScript.ResourcePrefix.Length..]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(files, embedded);
        Assert.All(files, file => Assert.Equal(File.ReadAllText(Path.Combine(folder, file!)), NodeScript.Text(file!)));
        Assert.Contains(NodeScript.RunFolder, files);
        Assert.Contains(NodeScript.LogPack, files);
        Assert.Contains(NodeScript.DetachedWrapper, files);
        Assert.Contains(NodeScript.Mask, files);
    }
}
