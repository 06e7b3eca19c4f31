using System.Net;

namespace GlobalUpgrade.Remote;

/// <summary>A node that can open TCP connections on our behalf (ssh -L): what connects through it starts from the node.</summary>
public interface ITcpForwarder
{
    /// <summary>Listens on a free loopback port of this machine; each connection to it is opened by the node to <paramref name="host"/>:<paramref name="port"/>.</summary>
    Task<TcpForward> ForwardAsync(string host, int port, CancellationToken cancellationToken);
}

/// <summary>
/// One forwarded port: <see cref="LocalEndPoint"/> here, <see cref="Host"/>:<see cref="Port"/> as the node sees it.
/// A connection the node could not open (nothing listens there, no route) is accepted here and closed at once,
/// like one the far end closed: ask the node itself to tell them apart. Disposing stops the listener.
/// </summary>
public sealed class TcpForward(IPEndPoint localEndPoint, string host, int port, string via, Action stop) : IDisposable
{
    private int stopped;

    public IPEndPoint LocalEndPoint { get; } = localEndPoint;

    public string Host { get; } = host;

    public int Port { get; } = port;

    /// <summary>How messages name the node the connections start from.</summary>
    public string Via { get; } = via;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 0)
        {
            stop();
        }
    }
}
