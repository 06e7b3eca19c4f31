using System.Security.Cryptography;
using System.Text;
using GlobalUpgrade.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

public sealed class KnownHostsTests
{
    private static readonly byte[] Key = Blob("ssh-ed25519", 1);
    private static readonly byte[] OtherKey = Blob("ssh-ed25519", 2);
    private static readonly byte[] RsaKey = Blob("ssh-rsa", 3);

    [Fact]
    public void PlainEntryOnPort22()
    {
        var hosts = KnownHosts.Parse([$"node1,10.0.0.1 ssh-ed25519 {B64(Key)} comment"]);
        Assert.Equal(HostKeyMatch.Trusted, hosts.Check("10.0.0.1", 22, Key));
        Assert.Equal(HostKeyMatch.Trusted, hosts.Check("NODE1", 22, Key));
        Assert.Equal(HostKeyMatch.Unknown, hosts.Check("10.0.0.1", 2222, Key));
        Assert.Equal(HostKeyMatch.Changed, hosts.Check("10.0.0.1", 22, OtherKey));
        Assert.Equal(HostKeyMatch.Unknown, hosts.Check("10.0.0.1", 22, RsaKey));
        Assert.Equal(HostKeyMatch.Unknown, hosts.Check("10.0.0.2", 22, Key));
    }

    [Fact]
    public void BracketedHostAndPort()
    {
        var hosts = KnownHosts.Parse([$"[10.0.0.1]:2222 ssh-ed25519 {B64(Key)}"]);
        Assert.Equal(HostKeyMatch.Trusted, hosts.Check("10.0.0.1", 2222, Key));
        Assert.Equal(HostKeyMatch.Unknown, hosts.Check("10.0.0.1", 22, Key));
    }

    [Theory]
    [InlineData("node1", 22)]
    [InlineData("[node1]:2200", 2200)]
    public void HashedEntry(string hashedName, int port)
    {
        var salt = RandomNumberGenerator.GetBytes(20);
#pragma warning disable CA5350 // the known_hosts format
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(hashedName));
#pragma warning restore CA5350
        var hosts = KnownHosts.Parse(["# comment", "", $"|1|{B64(salt)}|{B64(hash)} ssh-ed25519 {B64(Key)}"]);
        Assert.Equal(HostKeyMatch.Trusted, hosts.Check("node1", port, Key));
        Assert.Equal(HostKeyMatch.Changed, hosts.Check("node1", port, OtherKey));
        Assert.Equal(HostKeyMatch.Unknown, hosts.Check("node2", port, Key));
    }

    [Fact]
    public void HashedEntryWrittenBySshKeygen()
    {
        var folder = TestPaths.NewTempFolder();
        var file = Path.Combine(folder, "known_hosts");
        File.WriteAllText(file, $"[127.0.0.1]:2022 ssh-ed25519 {B64(Key)}\n");
        SshdFixture.Run("ssh-keygen", "-H", "-f", file);
        Assert.StartsWith("|1|", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal(HostKeyMatch.Trusted, KnownHosts.Load(file).Check("127.0.0.1", 2022, Key));
        Directory.Delete(folder, true);
    }

    [Fact]
    public void WildcardsNegationAndRevoked()
    {
        var hosts = KnownHosts.Parse([
            $"*.cluster.local,!bad.cluster.local ssh-ed25519 {B64(Key)}",
            $"@revoked * ssh-ed25519 {B64(OtherKey)}",
            $"@cert-authority * ssh-ed25519 {B64(RsaKey)}",
        ]);
        Assert.Equal(HostKeyMatch.Trusted, hosts.Check("n1.cluster.local", 22, Key));
        Assert.Equal(HostKeyMatch.Unknown, hosts.Check("bad.cluster.local", 22, Key));
        Assert.Equal(HostKeyMatch.Changed, hosts.Check("anything", 22, OtherKey));
    }

    [Fact]
    public void FingerprintLikeSshKeygen()
    {
        var fp = SshKeyBlob.Fingerprint(Key);
        Assert.StartsWith("SHA256:", fp, StringComparison.Ordinal);
        Assert.DoesNotContain("=", fp, StringComparison.Ordinal);
        Assert.True(SshKeyBlob.FingerprintMatches(fp, Key));
        Assert.True(SshKeyBlob.FingerprintMatches(fp[7..] + "=", Key));
        Assert.False(SshKeyBlob.FingerprintMatches(fp, OtherKey));
        Assert.Equal("ssh-ed25519", SshKeyBlob.KeyType(Key));
    }

    private static string B64(byte[] b) => Convert.ToBase64String(b);

    private static byte[] Blob(string type, byte fill)
    {
        var name = Encoding.ASCII.GetBytes(type);
        var blob = new List<byte> { 0, 0, 0, (byte)name.Length };
        blob.AddRange(name);
        blob.AddRange(new byte[] { 0, 0, 0, 32 });
        blob.AddRange(Enumerable.Repeat(fill, 32));
        return blob.ToArray();
    }
}
