using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Vapora.ServiceDefaults.Redis;

internal static partial class RedisLog
{
    [LoggerMessage(100, LogLevel.Warning, "Redis connection to {EndPoint} ({ConnectionType}) failed: {FailureType}")]
    public static partial void ConnectionFailed(ILogger logger, string? endPoint, ConnectionType connectionType, ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(101, LogLevel.Information, "Redis connection to {EndPoint} ({ConnectionType}) restored")]
    public static partial void ConnectionRestored(ILogger logger, string? endPoint, ConnectionType connectionType);

    [LoggerMessage(107, LogLevel.Information, "Redis connection to {EndPoint} ({ConnectionType}) opened")]
    public static partial void Connected(ILogger logger, string? endPoint, ConnectionType connectionType);

    [LoggerMessage(102, LogLevel.Warning, "Started without a Redis connection ({Configuration}); retrying in the background")]
    public static partial void StartedDisconnected(ILogger logger, string configuration);

    [LoggerMessage(103, LogLevel.Information, "Connecting to Redis: {Configuration} as user {User}, TLS {Tls}")]
    public static partial void Connecting(ILogger logger, string configuration, string user, string tls);

    [LoggerMessage(104, LogLevel.Error,
        "Redis at {EndPoint} refused to authenticate user {User}: the password is wrong, or the user is unknown or disabled. " +
        "Check Redis:User and Redis:Password (or user= and password= in ConnectionStrings:redis) against the server's ACL ({Skipped} more since the last report)")]
    public static partial void AuthenticationFailed(ILogger logger, string? endPoint, string user, long skipped);

    [LoggerMessage(105, LogLevel.Error,
        "Refused the TLS certificate of a Redis server (subject {Subject}, issuer {Issuer}): {Reason}. Trusted CA: {Authority} from {AuthorityFile} ({Skipped} more since the last report)")]
    public static partial void ServerCertificateRefused(ILogger logger, string subject, string issuer, string reason, string authority, string authorityFile, long skipped);

    [LoggerMessage(106, LogLevel.Warning, "Redis at {EndPoint} denied user {User} a command: {Message} (see deploy/redis/users.acl; {Skipped} more since the last report)")]
    public static partial void PermissionDenied(ILogger logger, string? endPoint, string user, string message, long skipped);
}
