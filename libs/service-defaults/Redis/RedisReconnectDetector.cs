using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// Tells a reconnect from a first connection. StackExchange.Redis raises <c>ConnectionRestored</c> also when it opens a
/// connection for the first time (a server's subscription connection, at the first SUBSCRIBE there), and its
/// <c>ConnectionFailed</c> and <c>ConnectionRestored</c> events may be handled in either order, so "restored" here means:
/// that connection had been up (or had failed) before. Each listener keeps its own detector.
/// </summary>
public sealed class RedisReconnectDetector
{
    private readonly ConcurrentDictionary<(string EndPoint, ConnectionType Type), byte> _seen = new();

    /// <summary>Starts knowing the interactive connections that are up now (they were opened before anyone listened).</summary>
    public RedisReconnectDetector(IConnectionMultiplexer redis)
    {
        foreach (var server in redis.GetServers().Where(s => s.IsConnected))
        {
            _seen.TryAdd((server.EndPoint.ToString() ?? string.Empty, ConnectionType.Interactive), 0);
        }
    }

    /// <summary>Call from <c>ConnectionFailed</c>.</summary>
    public void Failed(ConnectionFailedEventArgs e) => _seen.TryAdd(Key(e), 0);

    /// <summary>Call from <c>ConnectionRestored</c>: true when this connection had been up before (a reconnect).</summary>
    public bool Restored(ConnectionFailedEventArgs e) => !_seen.TryAdd(Key(e), 0);

    private static (string, ConnectionType) Key(ConnectionFailedEventArgs e) => (e.EndPoint?.ToString() ?? string.Empty, e.ConnectionType);
}
