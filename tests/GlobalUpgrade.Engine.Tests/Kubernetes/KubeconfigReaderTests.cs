using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using Xunit;

namespace GlobalUpgrade.Tests.Kubernetes;

public sealed class KubeconfigReaderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("gu-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void MissingFileIsKubeconfigNotFoundNamingThePath()
    {
        var path = Path.Combine(folder, "absent");
        var ex = Assert.Throws<GlobalUpgradeException>(() => KubeconfigReader.Load(path));
        Assert.Equal(ErrorIds.KubeconfigNotFound, ex.ErrorId);
        Assert.Equal(FailureCategory.ObjectNotFound, ex.Category);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clusters: [ {name: a, cluster: {server: 'https://x'} ]\n  bad: : yaml")]
    [InlineData("\u0000\u0001 not yaml at all {{{")]
    [InlineData("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")]
    [InlineData("")]
    [InlineData("  \n\n")]
    [InlineData("just a string")]
    [InlineData("- a\n- b\n")]
    [InlineData("contexts:\n- name: a\n")]
    [InlineData("contexts:\n- context: {cluster: a, user: a}\n")]
    public void MalformedFileIsKubeconfigInvalid(string content)
    {
        var path = Path.Combine(folder, "config");
        File.WriteAllText(path, content);
        var ex = Assert.Throws<GlobalUpgradeException>(() => KubeconfigReader.Load(path));
        Assert.Equal(ErrorIds.KubeconfigInvalid, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidData, ex.Category);
        Assert.DoesNotContain("Object reference", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderIsNotAKubeconfig()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => KubeconfigReader.Load(folder));
        Assert.Equal(ErrorIds.KubeconfigInvalid, ex.ErrorId);
        Assert.Contains("folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownContextListsTheContextsThere()
    {
        var path = Path.Combine(folder, "config");
        File.WriteAllText(path, TwoContexts);
        var config = KubeconfigReader.Load(path);
        var ex = Assert.Throws<GlobalUpgradeException>(() => KubeconfigReader.FindContext(config, "nope", path));
        Assert.Equal(ErrorIds.ContextNotFound, ex.ErrorId);
        Assert.Contains("alpha", ex.Message, StringComparison.Ordinal);
        Assert.Contains("beta", ex.Message, StringComparison.Ordinal);
        Assert.Equal("beta", KubeconfigReader.FindContext(config, null, path).Name);
    }

    [Fact]
    public void ContextListForCompletionNeverThrows()
    {
        var path = Path.Combine(folder, "config");
        File.WriteAllText(path, TwoContexts);
        Assert.Equal(["alpha", "beta"], KubeconfigReader.TryListContexts(path));
        Assert.Empty(KubeconfigReader.TryListContexts(Path.Combine(folder, "absent")));
    }

    [Fact]
    public void ExplicitPathWinsAndIsMadeAbsolute()
    {
        Assert.Equal(Path.GetFullPath("rel/config"), KubeconfigReader.ResolvePath("rel/config"));
    }

    [Fact]
    public void SkipTlsVerifyIsRefusedNotHonoured()
    {
        var path = Path.Combine(folder, "config");
        File.WriteAllText(path, TwoContexts.Replace("server: https://127.0.0.1:1", "server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true", StringComparison.Ordinal));
        var ex = Assert.Throws<GlobalUpgradeException>(() => KubeClientFactory.Create(path, "alpha"));
        Assert.Equal(ErrorIds.CertificateNotTrusted, ex.ErrorId);
        Assert.Equal(FailureCategory.SecurityError, ex.Category);
    }

    private const string TwoContexts = """
        apiVersion: v1
        kind: Config
        current-context: beta
        clusters:
        - name: a
          cluster:
            server: https://127.0.0.1:1
        - name: b
          cluster:
            server: https://127.0.0.1:2
        users:
        - name: u
          user:
            token: not-a-real-token
        contexts:
        - name: alpha
          context: {cluster: a, user: u}
        - name: beta
          context: {cluster: b, user: u}
        """;
}
