using System.Net;
using System.Net.Sockets;
using System.Text;
using GlobalUpgrade.Tests.Remote;
using Xunit;

namespace GlobalUpgrade.Tests;

/// <summary>The servers' starters in tests/fixtures, which every sshd and etcd of the tests comes from.</summary>
public sealed class FixtureServerTests
{
    [Fact]
    public async Task APortTakenMeanwhileIsRetriedOnAnotherAndReadyMeansSshdItselfAnswersThere()
    {
        var folder = TestPaths.NewTempFolder();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        try
        {
            using var sshd = await FixtureServer.StartAsync(
                new Dictionary<string, string> { ["GU_FIXTURE_FIRST_PORTS"] = takenPort.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                "tests/fixtures/sshd/start-sshd.sh", Path.Combine(folder, "sshd"));

            var port = int.Parse(sshd.Fields["port"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.NotEqual(takenPort, port);
            // Right after READY, with no wait of our own: the listener is sshd's and it greets.
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var greeting = new byte[64];
            var read = await client.GetStream().ReadAsync(greeting);
            Assert.StartsWith("SSH-2.0-OpenSSH", Encoding.ASCII.GetString(greeting, 0, read), StringComparison.Ordinal);
            Assert.Equal("sshd", File.ReadAllText($"/proc/{sshd.ProcessId}/comm").Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task EtcdAnswersAtReadyAndIsGoneOnceStopped()
    {
        var folder = Path.Combine(TestPaths.NewTempFolder(), "etcd");
        var etcd = await FixtureServer.StartAsync("tests/fixtures/etcd/start-etcd.sh", "fixture", folder);
        try
        {
            Assert.False(etcd.Fields.ContainsKey("tls"), "no TLS URL without certificates");
            using var http = new HttpClient();
            var health = await http.GetStringAsync(new Uri(new Uri(etcd.Fields["plain"]), "/health"));
            Assert.Contains("\"health\":\"true\"", health, StringComparison.Ordinal);
        }
        finally
        {
            etcd.Dispose();
        }

        // Stopped means gone and reaped, not a zombie left to init.
        Assert.False(Directory.Exists($"/proc/{etcd.ProcessId}"), $"etcd {etcd.ProcessId} is still there after Dispose");
        Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
    }
}
