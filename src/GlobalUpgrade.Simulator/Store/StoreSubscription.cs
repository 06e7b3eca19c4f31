using System.Threading.Channels;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>A live feed of store events; <see cref="Initial"/> holds what happened before (or synthetic ADDED events).</summary>
public sealed class StoreSubscription : IDisposable
{
    private readonly Action<StoreSubscription> unsubscribe;

    internal StoreSubscription(ResourceType? type, string? ns, Action<StoreSubscription> unsubscribe)
    {
        Type = type;
        Namespace = ns;
        this.unsubscribe = unsubscribe;
    }

    public ResourceType? Type { get; }

    public string? Namespace { get; }

    public IReadOnlyList<StoreEvent> Initial { get; internal set; } = [];

    internal Channel<StoreEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<StoreEvent>(
        new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<StoreEvent> Live => Channel.Reader;

    internal bool Wants(StoreEvent e) =>
        (Type is null || e.Resource == Type) && (Namespace is null || e.Object.Namespace() == Namespace);

    public void Dispose()
    {
        unsubscribe(this);
        Channel.Writer.TryComplete();
    }
}
