namespace GlobalUpgrade.Remote;

/// <summary>
/// The connections of one command (a cmdlet call, a runbook step): one per node, opened when first asked for and
/// closed when this is disposed, so that starting a run and following it share one SSH login instead of two (on a
/// real node the login is the largest part of a short command's cost). What <see cref="OpenAsync"/> returns is a
/// lease: disposing it leaves the connection open for the next caller. A connection found dropped is opened again.
/// </summary>
public sealed class RemoteSessions : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, IRemoteHost> open = new(StringComparer.Ordinal);
    private bool disposed;

    /// <summary>Opens <paramref name="target"/> through <paramref name="sessions"/> when given (a shared lease), else on its own (the caller closes it).</summary>
    public static Task<IRemoteHost> OpenAsync(RemoteSessions? sessions, RemoteTarget target, CancellationToken cancellationToken) =>
        sessions is null ? RemoteHost.OpenAsync(target, cancellationToken) : sessions.OpenAsync(target, cancellationToken);

    public async Task<IRemoteHost> OpenAsync(RemoteTarget target, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var key = KeyOf(target);
            if (open.TryGetValue(key, out var host) && !host.IsConnected)
            {
                host.Dispose();
                open.Remove(key);
                host = null;
            }

            if (host is null)
            {
                host = await RemoteHost.OpenAsync(target, cancellationToken).ConfigureAwait(false);
                open[key] = host;
            }

            return new Lease(host);
        }
        finally
        {
            gate.Release();
        }
    }

    // The same node reached as the same user, with the same host key check, is the same connection; how the login was
    // made (key or password) does not change what a command can do there.
    private static string KeyOf(RemoteTarget target) => target.IsLocal
        ? "local"
        : string.Join('\n', target.ComputerName!.ToUpperInvariant(), target.Port, target.EffectiveUserName, target.Credential is null ? "key" : "credential", target.KeyFilePath, target.KnownHostsPath, target.HostKeyFingerprint);

    public void Dispose()
    {
        gate.Wait();
        try
        {
            disposed = true;
            foreach (var host in open.Values)
            {
                host.Dispose();
            }

            open.Clear();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A borrowed connection: everything but closing it.</summary>
    private sealed class Lease(IRemoteHost leased) : IRemoteHost, ITcpForwarder
    {
        public RemoteTarget Target => leased.Target;

        public bool IsConnected => leased.IsConnected;

        public Task<RemoteCommandResult> ExecuteAsync(string script, ReadOnlyMemory<byte> input, Stream output, CancellationToken cancellationToken, Func<Stream, Stream>? decodeOutput = null) =>
            leased.ExecuteAsync(script, input, output, cancellationToken, decodeOutput);

        public Task<TcpForward> ForwardAsync(string host, int port, CancellationToken cancellationToken) => leased is ITcpForwarder forwarder
            ? forwarder.ForwardAsync(host, port, cancellationToken)
            : throw new NotSupportedException($"{Target.DisplayName} does not forward ports.");

        public void Dispose()
        {
        }
    }
}
