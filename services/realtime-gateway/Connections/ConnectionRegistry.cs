using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using Vapora.Contracts;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// The gateway's open connections: counted against the limit (all of them, and per token subject and client address),
/// and closable all at once when draining.
/// </summary>
internal sealed class ConnectionRegistry(IOptions<ConnectionOptions> options)
{
    private readonly ConcurrentDictionary<long, Registration> _connections = new();
    private readonly int _max = options.Value.MaxConnections;
    private readonly ConnectionQuota<string> _perSubject = new(options.Value.MaxConnectionsPerSubject, StringComparer.Ordinal);
    private readonly ConnectionQuota<IPAddress> _perAddress = new(options.Value.MaxConnectionsPerAddress, EqualityComparer<IPAddress>.Default);
    private long _nextId;
    private int _count;

    /// <summary>Connections counted against the limit (the dictionary's own count would take all its locks).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The connection limit (Gateway:MaxConnections).</summary>
    public int Limit => _max;

    public IEnumerable<Connection> Connections => _connections.Values.Select(r => r.Connection);

    /// <summary>Sum of frames waiting in every send queue.</summary>
    public long QueuedFrames => _connections.Values.Sum(r => (long)r.Connection.QueuedFrames);

    /// <summary>Open connections per transport (every registered transport, also at 0, so the series exist from the start).</summary>
    public IEnumerable<(string Transport, int Count)> CountByTransport(IReadOnlyList<TransportInfo> transports)
    {
        var counts = new int[transports.Count];
        foreach (var registration in _connections.Values)
        {
            for (var i = 0; i < transports.Count; i++)
            {
                if (transports[i].Name == registration.Connection.TransportName)
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
    public long Subscriptions => _connections.Values.Sum(r => (long)r.Connection.Subscriptions.Count);

    /// <summary>A new connection id.</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>
    /// Counts the connection in; the reason it may not be (and is not registered) when the gateway, the token's
    /// <paramref name="subject"/> or the client's <paramref name="address"/> is at its limit. Each slot is taken first
    /// and given back if it was one too many, so connections that arrive together never pass a limit.
    /// </summary>
    /// <param name="subject">The token's subject; null when there is none to limit (authentication off).</param>
    /// <param name="address">The client's address; null when unknown.</param>
    public CloseReason? TryRegister(Connection connection, string? subject, IPAddress? address)
    {
        if (Interlocked.Increment(ref _count) > _max)
        {
            Interlocked.Decrement(ref _count);
            return CloseReason.TryAgainLater;
        }

        if (!_perSubject.TryTake(subject))
        {
            Interlocked.Decrement(ref _count);
            return CloseReason.SubjectAtLimit;
        }

        if (!_perAddress.TryTake(address))
        {
            _perSubject.Release(subject);
            Interlocked.Decrement(ref _count);
            return CloseReason.AddressAtLimit;
        }

        if (!_connections.TryAdd(connection.Id, new Registration(connection, subject, address)))
        {
            _perAddress.Release(address);
            _perSubject.Release(subject);
            Interlocked.Decrement(ref _count);
            throw new InvalidOperationException($"Connection {connection.Id} is already registered.");
        }

        return null;
    }

    public void Unregister(Connection connection)
    {
        if (_connections.TryRemove(connection.Id, out var registration))
        {
            _perAddress.Release(registration.Address);
            _perSubject.Release(registration.Subject);
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>What a registered connection counts against.</summary>
    private sealed record Registration(Connection Connection, string? Subject, IPAddress? Address);
}
