using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Vapora.ServiceDefaults.Redis;

internal static partial class RedisLog
{
    [LoggerMessage(100, LogLevel.Warning, "Redis connection to {EndPoint} ({ConnectionType}) failed: {FailureType}")]
    public static partial void ConnectionFailed(ILogger logger, string? endPoint, ConnectionType connectionType, ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(101, LogLevel.Information, "Redis connection to {EndPoint} ({ConnectionType}) restored")]
    public static partial void ConnectionRestored(ILogger logger, string? endPoint, ConnectionType connectionType);

    [LoggerMessage(102, LogLevel.Warning, "Started without a Redis connection ({Configuration}); retrying in the background")]
    public static partial void StartedDisconnected(ILogger logger, string configuration);
}
