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
    /// <summary>One delegate for every connection's end (a method group would allocate one per connection).</summary>
    private readonly Action<Connection> _unregister = registry.Unregister;

    public ConnectionServices Services { get; } = new(topics, updateLog, access, options.Value, metrics, time, logger);

    /// <summary>Who a connection is when authentication is off: one shared principal, not one per socket.</summary>
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    /// <summary>A new connection of <paramref name="http"/>'s user over <paramref name="transport"/> (after <see cref="RefusalAsync"/>).</summary>
    public Connection Open(IConnectionTransport transport, HttpContext http, bool refused = false) =>
        new(registry.NextId(), transport, access.IsOpen || refused ? Anonymous : http.User, Services);

    /// <summary>
    /// Authenticates the request (socket routes run ahead of the authentication middleware, see SocketEndpoints) and
    /// says why it may not be served (no or bad token, draining); null when it may.
    /// </summary>
    public async Task<CloseReason?> RefusalAsync(HttpContext http)
    {
        if (!access.IsOpen)
        {
            var result = await http.AuthenticateAsync();
            if (result.Succeeded)
            {
                http.User = result.Principal;
            }

            if (result.Failure is IssuerUnavailableException)
            {
                metrics.InboundRejected("issuer_unavailable");
                return CloseReason.IssuerUnavailable;
            }

            if (!access.IsAuthenticated(http.User))
            {
                metrics.InboundRejected("unauthenticated");
                return result.Failure switch
                {
                    SecurityTokenExpiredException => CloseReason.TokenExpired,
                    null => CloseReason.Unauthorized,
                    _ => CloseReason.InvalidToken,
                };
            }
        }

        return drainer.IsDraining ? CloseReason.GoingAway : null;
    }

    /// <summary>
    /// Runs an admitted connection to its end: counted against the limit (closed as "try again later" beyond it) and
    /// closed when its token expires.
    /// </summary>
    /// <remarks>Not async: the registration ends in the connection's own end, so no frame of this method stays suspended under it.</remarks>
    public Task RunAsync(Connection connection, Func<Connection, Task> inbound, Func<Connection, Task>? start)
    {
        if (!registry.TryRegister(connection))
        {
            metrics.InboundRejected("connection_limit");
            GatewayLog.ConnectionLimit(logger, Services.Options.MaxConnections);
            connection.Close(CloseReason.TryAgainLater);
            return connection.RunAsync(inbound);
        }

        try
        {
            var expiry = CloseWhenTokenExpires(connection);
            return connection.RunAsync(inbound, start, expiry is null ? _unregister : ended =>
            {
                expiry.Dispose();
                registry.Unregister(ended);
            });
        }
        catch
        {
            registry.Unregister(connection);
            throw;
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
}
