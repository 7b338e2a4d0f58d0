using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>The gateway's open WebSocket connections: counted against the limit, and closable all at once when draining.</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<long, ClientConnection> _connections = new();
    private readonly int _max;
    private long _nextId;

    public ConnectionRegistry(IOptions<GatewayOptions> options, Internal.GatewayMetrics metrics)
    {
        _max = options.Value.MaxConnections;
        metrics.ObserveConnections(this);
    }

    public int Count => _connections.Count;

    /// <summary>The connection limit (Gateway:MaxConnections).</summary>
    public int Limit => _max;

    public IEnumerable<ClientConnection> Connections => _connections.Values;

    /// <summary>A new connection id, or null when the gateway is full.</summary>
    public bool TryRegister(ClientConnection connection)
    {
        if (_connections.Count >= _max)
        {
            return false;
        }

        _connections[connection.Id] = connection;
        return true;
    }

    public void Unregister(ClientConnection connection) => _connections.TryRemove(connection.Id, out _);

    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Sum of frames waiting in every send queue.</summary>
    public long QueuedFrames => _connections.Values.Sum(c => (long)c.QueuedFrames);

    /// <summary>Sum of subscriptions over every connection.</summary>
    public long Subscriptions => _connections.Values.Sum(c => (long)c.SubscriptionCount);
}
