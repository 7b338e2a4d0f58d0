using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Vapora.Contracts;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Admits and runs connections, whatever their transport: who may connect (token, drain), the connection limit, and
/// a connection's end when its token expires. A transport turns a refusal into its own form (a close code).
/// </summary>
internal sealed class ConnectionHost(
    ConnectionRegistry registry,
    ConnectionDrainer drainer,
    WorkflowAccess access,
    TopicRegistry topics,
    IUpdateLog updateLog,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<ConnectionHost> logger)
{
    public ConnectionServices Services { get; } = new(topics, updateLog, access, options.Value, metrics, time, logger);

    /// <summary>A new connection of <paramref name="http"/>'s user over <paramref name="transport"/>.</summary>
    public Connection Open(IConnectionTransport transport, HttpContext http) =>
        new(registry.NextId(), transport, http.User, Services, http.RequestAborted);

    /// <summary>Why the request may not be served (no or bad token, draining); null when it may.</summary>
    public async Task<CloseReason?> RefusalAsync(HttpContext http)
    {
        if (!access.IsAuthenticated(http.User))
        {
            metrics.InboundRejected("unauthenticated");
            return await AuthenticationFailureAsync(http);
        }

        return drainer.IsDraining ? CloseReason.GoingAway : null;
    }

    /// <summary>
    /// Runs an admitted connection to its end: counted against the limit (closed as "try again later" beyond it) and
    /// closed when its token expires.
    /// </summary>
    public async Task RunAsync(Connection connection, Func<Connection, Task> inbound, Func<Connection, Task>? start)
    {
        if (!registry.TryRegister(connection))
        {
            metrics.InboundRejected("connection_limit");
            GatewayLog.ConnectionLimit(logger, Services.Options.MaxConnections);
            connection.Close(CloseReason.TryAgainLater);
            await connection.RunAsync(inbound);
            return;
        }

        using var expiry = CloseWhenTokenExpires(connection);
        try
        {
            await connection.RunAsync(inbound, start);
        }
        finally
        {
            registry.Unregister(connection);
        }
    }

    /// <summary>A connection lives no longer than its token: at <c>exp</c> it is closed and the client reconnects with a fresh one.</summary>
    private ITimer? CloseWhenTokenExpires(Connection connection)
    {
        if (access.IsOpen || !long.TryParse(connection.User.FindFirst("exp")?.Value, out var exp))
        {
            return null;
        }

        var due = DateTimeOffset.FromUnixTimeSeconds(exp) - time.GetUtcNow();
        return time.CreateTimer(static state => ((Connection)state!).Close(CloseReason.TokenExpired),
            connection, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    // The authentication middleware keeps only successes; asking again returns the request's cached result.
    private static async Task<CloseReason> AuthenticationFailureAsync(HttpContext http) =>
        (await http.AuthenticateAsync()).Failure switch
        {
            SecurityTokenExpiredException => CloseReason.TokenExpired,
            null => CloseReason.Unauthorized,
            _ => CloseReason.InvalidToken,
        };
}
