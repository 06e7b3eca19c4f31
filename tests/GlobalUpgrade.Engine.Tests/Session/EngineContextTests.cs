using GlobalUpgrade.Platform;
using GlobalUpgrade.Session;
using GlobalUpgrade.Tests.Remote;
using Xunit;

namespace GlobalUpgrade.Tests.Session;

/// <summary>The command's node connections live in its engine context: shared by its copies, closed with it.</summary>
[Collection(SshdCollection.Name)]
public sealed class EngineContextTests(SshdFixture sshd)
{
    [Fact]
    public async Task TheContextsSessionsAreClosedWhenTheCommandDisposesIt()
    {
        var folder = Directory.CreateTempSubdirectory("gu-context-").FullName;
        await Eventually.TrueAsync(() => sshd.SessionProcessIds().Count == 0, "the sshd's sessions to close");
        var command = new EngineContext(folder, new PlatformAssumptions());

        // A runbook runs with a copy (its journal's assumptions): the copy's connections are the command's.
        var runbook = command with { Assumptions = new PlatformAssumptions() };
        Assert.Same(command.Sessions, runbook.Sessions);
        using (var lease = await runbook.Sessions.OpenAsync(sshd.Target(), CancellationToken.None))
        {
            var result = await lease.ExecuteAsync("true", ReadOnlyMemory<byte>.Empty, Stream.Null, CancellationToken.None);
            Assert.Equal(0, result.ExitCode);
        }

        // A lease ends, the login stays for the next step of the command.
        var login = Assert.Single(sshd.SessionProcessIds());
        using (var again = await runbook.Sessions.OpenAsync(sshd.Target(), CancellationToken.None))
        {
            Assert.Equal(login, Assert.Single(sshd.SessionProcessIds()));
        }

        command.Dispose();
        await Eventually.TrueAsync(() => sshd.SessionProcessIds().Count == 0, "the command's sessions to close");
        _ = await Assert.ThrowsAsync<ObjectDisposedException>(() => runbook.Sessions.OpenAsync(sshd.Target(), CancellationToken.None));
        Directory.Delete(folder, true);
    }
}
