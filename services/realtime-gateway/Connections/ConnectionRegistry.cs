using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>The gateway's open connections: counted against the limit, and closable all at once when draining.</summary>
internal sealed class ConnectionRegistry(IOptions<ConnectionOptions> options)
{
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly int _max = options.Value.MaxConnections;
    private long _nextId;
    private int _count;

    /// <summary>Connections counted against the limit (the dictionary's own count would take all its locks).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The connection limit (Gateway:MaxConnections).</summary>
    public int Limit => _max;

    public IEnumerable<Connection> Connections => _connections.Values;

    /// <summary>Sum of frames waiting in every send queue.</summary>
    public long QueuedFrames => _connections.Values.Sum(c => (long)c.QueuedFrames);

    /// <summary>Open connections per transport (every registered transport, also at 0, so the series exist from the start).</summary>
    public IEnumerable<(string Transport, int Count)> CountByTransport(IReadOnlyList<TransportInfo> transports)
    {
        var counts = new int[transports.Count];
        foreach (var connection in _connections.Values)
        {
            for (var i = 0; i < transports.Count; i++)
            {
                if (transports[i].Name == connection.TransportName)
                {
                    counts[i]++;
                    break;
                }
            }
        }

        for (var i = 0; i < transports.Count; i++)
        {
            yield return (transports[i].Name, counts[i]);
        }
    }

    /// <summary>Sum of subscriptions over every connection.</summary>
    public long Subscriptions => _connections.Values.Sum(c => (long)c.Subscriptions.Count);

    /// <summary>A new connection id.</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>
    /// Counts the connection in; false (and not registered) when the gateway is at its connection limit. The slot is
    /// taken first and given back if it was one too many, so connections that arrive together never pass the limit.
    /// </summary>
    public bool TryRegister(Connection connection)
    {
        if (Interlocked.Increment(ref _count) > _max)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        if (!_connections.TryAdd(connection.Id, connection))
        {
            Interlocked.Decrement(ref _count);
            throw new InvalidOperationException($"Connection {connection.Id} is already registered.");
        }

        return true;
    }

    public void Unregister(Connection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
