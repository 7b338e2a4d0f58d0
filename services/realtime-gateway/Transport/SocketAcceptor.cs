using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>Upgrades a request, registers the connection against the gateway's limit, and runs it to the end.</summary>
internal sealed class SocketAcceptor(
    ConnectionRegistry registry,
    ConnectionDrainer drainer,
    WorkflowAccess access,
    WorkflowHub hub,
    IUpdateLog updateLog,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<SocketAcceptor> logger)
{
    private readonly ConnectionServices _services = new(hub, updateLog, access, options.Value, metrics, time, logger);

    public async Task RunAsync(HttpContext http, Func<ClientConnection, ReadOnlyMemory<byte>, Task> onMessage, Func<ClientConnection, Task>? start)
    {
        // Cross-site WebSocket hijacking: a page of another origin must not ride on the user's credentials.
        if (!OriginPolicy.IsAllowed(http.Request, _services.Options.AllowedOrigins))
        {
            metrics.InboundRejected("origin");
            GatewayLog.OriginRejected(logger, http.Request.Headers.Origin.ToString());
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
                detail: "This origin may not open sockets on this gateway (Gateway:AllowedOrigins).").ExecuteAsync(http);
            return;
        }

        var acceptContext = new WebSocketAcceptContext
        {
            KeepAliveInterval = _services.Options.KeepAliveInterval,
            KeepAliveTimeout = _services.Options.KeepAliveInterval,
        };
        using var socket = await http.WebSockets.AcceptWebSocketAsync(acceptContext);
        using var connection = new ClientConnection(registry.NextId(), socket, http.User, _services, http.RequestAborted);
        if (!access.IsAuthenticated(http.User))
        {
            metrics.InboundRejected("unauthenticated");
            connection.Close((WebSocketCloseStatus)WorkflowCloseCodes.Unauthorized, await AuthenticationFailureAsync(http));
            await connection.RunAsync(static (_, _) => Task.CompletedTask);
            return;
        }

        if (drainer.IsDraining)
        {
            connection.Close((WebSocketCloseStatus)WorkflowCloseCodes.GoingAway, "going away: resume on another replica");
            await connection.RunAsync(static (_, _) => Task.CompletedTask);
            return;
        }

        if (!registry.TryRegister(connection))
        {
            metrics.InboundRejected("connection_limit");
            GatewayLog.ConnectionLimit(logger, _services.Options.MaxConnections);
            connection.Close((WebSocketCloseStatus)WorkflowCloseCodes.TryAgainLater, "gateway at its connection limit: retry later");
            await connection.RunAsync(static (_, _) => Task.CompletedTask);
            return;
        }

        using var expiry = CloseWhenTokenExpires(connection, http.User);
        try
        {
            await connection.RunAsync(onMessage, start);
        }
        finally
        {
            registry.Unregister(connection);
        }
    }

    /// <summary>A socket lives no longer than its token: at <c>exp</c> it is closed with 4401 and the client reconnects with a fresh one.</summary>
    private ITimer? CloseWhenTokenExpires(ClientConnection connection, System.Security.Claims.ClaimsPrincipal user)
    {
        if (access.IsOpen || !long.TryParse(user.FindFirst("exp")?.Value, out var exp))
        {
            return null;
        }

        var due = DateTimeOffset.FromUnixTimeSeconds(exp) - time.GetUtcNow();
        return time.CreateTimer(static state => ((ClientConnection)state!).Close(
                (WebSocketCloseStatus)WorkflowCloseCodes.Unauthorized, "token expired: reconnect with a fresh token"),
            connection, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    // The authentication middleware keeps only successes; asking again returns the request's cached result.
    private static async Task<string> AuthenticationFailureAsync(HttpContext http) =>
        (await Microsoft.AspNetCore.Authentication.AuthenticationHttpContextExtensions.AuthenticateAsync(http)).Failure switch
        {
            Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "token expired: reconnect with a fresh token",
            null => "a bearer token is required (Authorization header or access_token query parameter)",
            _ => "invalid token",
        };
}
