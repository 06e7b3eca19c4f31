using System.Net;
using System.Net.Sockets;
using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Reporting;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace GlobalUpgrade.Remote;

/// <summary>
/// A node reached over SSH (SSH.NET). The host key is verified before anything is sent: against a pinned
/// fingerprint, or known_hosts; an unknown or changed key is refused, never accepted silently.
/// </summary>
public sealed class SshHost : IRemoteHost, ITcpForwarder
{
    private readonly SshClient client;

    private SshHost(RemoteTarget target, SshClient client)
    {
        Target = target;
        this.client = client;
    }

    public RemoteTarget Target { get; }

    public bool IsConnected => client.IsConnected;

    public static async Task<SshHost> ConnectAsync(RemoteTarget target, CancellationToken cancellationToken)
    {
        var host = target.ComputerName!;
        var user = target.EffectiveUserName;
        var methods = AuthenticationMethods(target, user);
        var info = new ConnectionInfo(host, target.Port, user, methods.ToArray()) { Timeout = target.ConnectTimeout };
        var client = new SshClient(info) { KeepAliveInterval = TimeSpan.FromSeconds(15) };
        HostKeyDecision? decision = null;
        client.HostKeyReceived += (_, e) =>
        {
            decision = HostKeyVerifier.Check(target, e.HostKey);
            e.CanTrust = decision.Trusted;
        };

        OperationLog.Current.Verbose($"Connecting to {target.DisplayName} over SSH as '{user}' ({string.Join(", ", methods.Select(m => m.Name))} authentication).");
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            client.Dispose();
            if (decision is { Trusted: false } refused)
            {
                throw refused.ToException(target);
            }

            throw ex switch
            {
                SshAuthenticationException => new GlobalUpgradeException(ErrorIds.SshAuthenticationFailed, FailureCategory.AuthenticationError,
                    $"{target.DisplayName} refused the login of '{user}' ({ex.Message.TrimEnd('.')}). Check -SshCredential (user and password) or -KeyFilePath.", target.ComputerName, ex),
                SocketException or SshOperationTimeoutException or TimeoutException => new GlobalUpgradeException(ErrorIds.SshConnectionFailed, FailureCategory.ConnectionError,
                    $"Cannot reach {target.DisplayName} over SSH: {ex.Message}", target.ComputerName, ex),
                _ => new GlobalUpgradeException(ErrorIds.SshConnectionFailed, FailureCategory.ConnectionError,
                    $"The SSH connection to {target.DisplayName} failed: {ex.Message}", target.ComputerName, ex),
            };
        }
        catch
        {
            client.Dispose();
            throw;
        }

        OperationLog.Current.Verbose($"Connected to {target.DisplayName}; host key {decision?.Fingerprint} verified ({decision?.How}).");
        return new SshHost(target, client);
    }

    private static List<AuthenticationMethod> AuthenticationMethods(RemoteTarget target, string user)
    {
        var methods = new List<AuthenticationMethod>();
        var password = target.Credential?.Password;
        var keyFiles = target.KeyFilePath is { } explicitKey
            ? [explicitKey]
            : target.Credential is null ? DefaultKeyFiles() : [];
        var keys = new List<IPrivateKeySource>();
        foreach (var path in keyFiles)
        {
            try
            {
                keys.Add(string.IsNullOrEmpty(password) ? new PrivateKeyFile(path) : new PrivateKeyFile(path, password));
            }
            catch (Exception ex) when (ex is IOException or SshException or UnauthorizedAccessException or ArgumentException or NotSupportedException or FormatException)
            {
                if (target.KeyFilePath is not null)
                {
                    throw new GlobalUpgradeException(ErrorIds.SshKeyFileInvalid, FailureCategory.InvalidArgument,
                        $"Cannot use the private key '{path}': {ex.Message}", path, ex);
                }
            }
        }

        if (keys.Count > 0)
        {
            methods.Add(new PrivateKeyAuthenticationMethod(user, keys.ToArray()));
        }

        if (!string.IsNullOrEmpty(password))
        {
            methods.Add(new PasswordAuthenticationMethod(user, password));
        }

        if (methods.Count == 0)
        {
            // Lets the server list what it accepts; fails with a clear authentication error.
            methods.Add(new NoneAuthenticationMethod(user));
        }

        return methods;
    }

    private static readonly string[] DefaultKeyNames = ["id_ed25519", "id_ecdsa", "id_rsa"];

    private static string[] DefaultKeyFiles()
    {
        var ssh = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh");
        return DefaultKeyNames.Select(n => Path.Combine(ssh, n)).Where(File.Exists).ToArray();
    }

    public async Task<RemoteCommandResult> ExecuteAsync(string script, ReadOnlyMemory<byte> input, Stream output, CancellationToken cancellationToken, Func<Stream, Stream>? decodeOutput = null)
    {
        OperationLog.Current.Debug($"bash -c on {Target.DisplayName}: {LocalHost.FirstLine(script)}");
        // Without input the script's stdin is /dev/null: the channel's EOF is not something to rely on.
        using var command = client.CreateCommand("exec bash --norc --noprofile -c " + RemoteHost.Quote(script) + (input.IsEmpty ? " < /dev/null" : ""));
        var error = new BoundedMemoryStream(8192);
        Task execution;
        try
        {
            execution = command.ExecuteAsync(cancellationToken);
            if (!input.IsEmpty)
            {
                using var stdin = command.CreateInputStream();
                await stdin.WriteAsync(input, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SshException or ObjectDisposedException or InvalidOperationException or SocketException)
        {
            throw SessionLost(ex);
        }

        // Drain stdout and stderr while the command runs (SSH.NET buffers what it receives until it is read).
        var copyOut = Task.Run(() => RemoteHost.CopyDecodedAsync(command.OutputStream, decodeOutput, stdout =>
        {
            Pump(stdout, output);
            return Task.CompletedTask;
        }), CancellationToken.None);
        var copyErr = Task.Run(() => Pump(command.ExtendedOutputStream, error), CancellationToken.None);
        try
        {
            await execution.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await StopCopyingAsync(command, copyOut, copyErr).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is SshException or ObjectDisposedException or SocketException or IOException)
        {
            await StopCopyingAsync(command, copyOut, copyErr).ConfigureAwait(false);
            throw SessionLost(ex);
        }

        await Task.WhenAll(copyOut, copyErr).ConfigureAwait(false);
        if (command.ExitStatus is not { } exitCode)
        {
            throw SessionLost(null, command.ExitSignal is { } signal ? $"the command ended on signal {signal}" : "no exit status came back");
        }

        return new RemoteCommandResult(exitCode, Encoding.UTF8.GetString(error.GetBuffer(), 0, (int)error.Length));
    }

    /// <summary>
    /// Ends the copying of a command that failed or was cancelled before returning: whatever it still writes must reach
    /// <c>output</c> before the caller counts what it received (a follower resumes from that count; bytes written after
    /// it would be copied twice on re-attach).
    /// </summary>
    private static async Task StopCopyingAsync(SshCommand command, Task copyOut, Task copyErr)
    {
        command.Dispose();
        try
        {
            await Task.WhenAll(copyOut, copyErr).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidDataException or SshException or ZstdSharp.ZstdException or GlobalUpgradeException)
        {
            // A stream cut mid-way: what was decoded before the cut has been written, the rest is read again on re-attach.
        }
    }

    private static void Pump(Stream source, Stream destination)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                destination.Write(buffer, 0, read);
            }
        }
        catch (ObjectDisposedException)
        {
            // The command was disposed: whatever came has been written.
        }
    }

    public Task<TcpForward> ForwardAsync(string host, int port, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var forwarded = new ForwardedPortLocal(IPAddress.Loopback.ToString(), 0, host, (uint)port);
        try
        {
            client.AddForwardedPort(forwarded);
            forwarded.Start();
        }
        catch (Exception ex) when (ex is SshException or ObjectDisposedException or InvalidOperationException or SocketException)
        {
            forwarded.Dispose();
            throw SessionLost(ex);
        }

        OperationLog.Current.Verbose($"Forwarding 127.0.0.1:{forwarded.BoundPort} through {Target.DisplayName} to {host}:{port}.");
        var forward = new TcpForward(new IPEndPoint(IPAddress.Loopback, (int)forwarded.BoundPort), host, port, Target.DisplayName, () =>
        {
            try
            {
                forwarded.Stop();
                client.RemoveForwardedPort(forwarded);
            }
            catch (Exception ex) when (ex is SshException or ObjectDisposedException or InvalidOperationException or SocketException)
            {
                // The session is gone: so is the forward.
            }

            forwarded.Dispose();
        });
        return Task.FromResult(forward);
    }

    private GlobalUpgradeException SessionLost(Exception? ex, string? why = null) =>
        new(ErrorIds.RemoteSessionLost, FailureCategory.ConnectionError,
            $"The SSH session to {Target.DisplayName} was lost: {why ?? ex?.Message}", Target.ComputerName, ex);

    public void Dispose() => client.Dispose();
}
