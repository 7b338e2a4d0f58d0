using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>The gateway's open connections: counted against the limit, and closable all at once when draining.</summary>
internal sealed class ConnectionRegistry(IOptions<GatewayOptions> options)
{
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly int _max = options.Value.MaxConnections;
    private long _nextId;

    public int Count => _connections.Count;

    /// <summary>The connection limit (Gateway:MaxConnections).</summary>
    public int Limit => _max;

    public IEnumerable<Connection> Connections => _connections.Values;

    /// <summary>Sum of frames waiting in every send queue.</summary>
    public long QueuedFrames => _connections.Values.Sum(c => (long)c.QueuedFrames);

    /// <summary>Open connections per transport (every known transport, also at 0, so the series exist from the start).</summary>
    public IEnumerable<(string Transport, int Count)> CountByTransport(IReadOnlyList<string> transports)
    {
        var counts = new int[transports.Count];
        foreach (var connection in _connections.Values)
        {
            for (var i = 0; i < transports.Count; i++)
            {
                if (transports[i] == connection.TransportName)
                {
                    counts[i]++;
                    break;
                }
            }
        }

        for (var i = 0; i < transports.Count; i++)
        {
            yield return (transports[i], counts[i]);
        }
    }

    /// <summary>Sum of subscriptions over every connection.</summary>
    public long Subscriptions => _connections.Values.Sum(c => (long)c.Subscriptions.Count);

    /// <summary>A new connection id.</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Counts the connection in; false (and not registered) when the gateway is at its connection limit.</summary>
    public bool TryRegister(Connection connection)
    {
        if (_connections.Count >= _max)
        {
            return false;
        }

        _connections[connection.Id] = connection;
        return true;
    }

    public void Unregister(Connection connection) => _connections.TryRemove(connection.Id, out _);
}
