using System.Net;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Remote;

[Collection(SshdCollection.Name)]
public sealed class SshHostTests(SshdFixture sshd)
{
    [Fact]
    public async Task RunsACommandWithStdinOverAVerifiedConnection()
    {
        using var host = await RemoteHost.OpenAsync(sshd.Target(), CancellationToken.None);
        var (exitCode, output, _) = await host.RunAsync("read -r line; echo \"got $line\"; exit 3", CancellationToken.None, "hello\n"u8.ToArray());
        Assert.Equal(3, exitCode);
        Assert.Equal("got hello", output.Trim());
    }

    [Fact]
    public async Task PinnedFingerprintIsEnough()
    {
        using var host = await RemoteHost.OpenAsync(sshd.Target(t => t with { KnownHostsPath = "/nonexistent", HostKeyFingerprint = sshd.HostFingerprint }), CancellationToken.None);
        Assert.Equal("ok", (await host.RunCheckedAsync("echo ok", "echo", CancellationToken.None)).Trim());
    }

    [Fact]
    public async Task UnknownHostKeyIsRefusedWithItsFingerprint()
    {
        var empty = Path.Combine(sshd.Directory, "known_hosts_empty");
        File.WriteAllText(empty, "");
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => RemoteHost.OpenAsync(sshd.Target(t => t with { KnownHostsPath = empty }), CancellationToken.None));
        Assert.Equal(ErrorIds.HostKeyUnknown, ex.ErrorId);
        Assert.Equal(FailureCategory.SecurityError, ex.Category);
        Assert.Contains(sshd.HostFingerprint, ex.Message, StringComparison.Ordinal);
        Assert.Contains("-HostKeyFingerprint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangedHostKeyIsRefused()
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => RemoteHost.OpenAsync(sshd.Target(t => t with { KnownHostsPath = Path.Combine(sshd.Directory, "known_hosts_changed") }), CancellationToken.None));
        Assert.Equal(ErrorIds.HostKeyChanged, ex.ErrorId);
        Assert.Contains(sshd.HostFingerprint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPinnedFingerprintIsRefused()
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => RemoteHost.OpenAsync(sshd.Target(t => t with { HostKeyFingerprint = "SHA256:" + new string('A', 43) }), CancellationToken.None));
        Assert.Equal(ErrorIds.HostKeyChanged, ex.ErrorId);
        Assert.Contains(sshd.HostFingerprint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPasswordIsAnAuthenticationError()
    {
        const string password = "not-the-password-4711";
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => RemoteHost.OpenAsync(
            sshd.Target(t => t with { KeyFilePath = null, Credential = new NetworkCredential(Environment.UserName, password) }), CancellationToken.None));
        Assert.Equal(ErrorIds.SshAuthenticationFailed, ex.ErrorId);
        Assert.Equal(FailureCategory.AuthenticationError, ex.Category);
        Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKeyIsAnAuthenticationError()
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => RemoteHost.OpenAsync(
            sshd.Target(t => t with { KeyFilePath = Path.Combine(sshd.Directory, "other_ed25519") }), CancellationToken.None));
        Assert.Equal(ErrorIds.SshAuthenticationFailed, ex.ErrorId);
    }

    [Fact]
    public async Task MissingKeyFileIsReported()
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => RemoteHost.OpenAsync(
            sshd.Target(t => t with { KeyFilePath = "/nonexistent/key" }), CancellationToken.None));
        Assert.Equal(ErrorIds.SshKeyFileInvalid, ex.ErrorId);
    }

    [Fact]
    public async Task ClosedPortIsAConnectionError()
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => RemoteHost.OpenAsync(
            sshd.Target(t => t with { Port = 1 }), CancellationToken.None));
        Assert.Equal(ErrorIds.SshConnectionFailed, ex.ErrorId);
    }
}
