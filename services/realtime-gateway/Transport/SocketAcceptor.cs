using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>Upgrades a request, registers the connection against the gateway's limit, and runs it to the end.</summary>
internal sealed class SocketAcceptor(
    ConnectionRegistry registry,
    ConnectionDrainer drainer,
    WorkflowHub hub,
    IUpdateLog updateLog,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<SocketAcceptor> logger)
{
    private readonly ConnectionServices _services = new(hub, updateLog, options.Value, metrics, time, logger);

    public async Task RunAsync(HttpContext http, Func<ClientConnection, ReadOnlyMemory<byte>, Task> onMessage, Func<ClientConnection, Task>? start)
    {
        var acceptContext = new WebSocketAcceptContext
        {
            KeepAliveInterval = _services.Options.KeepAliveInterval,
            KeepAliveTimeout = _services.Options.KeepAliveInterval,
        };
        using var socket = await http.WebSockets.AcceptWebSocketAsync(acceptContext);
        using var connection = new ClientConnection(registry.NextId(), socket, _services, http.RequestAborted);
        if (drainer.IsDraining)
        {
            connection.Close((WebSocketCloseStatus)WorkflowCloseCodes.GoingAway, "going away: resume on another replica");
            await connection.RunAsync(static (_, _) => Task.CompletedTask);
            return;
        }

        if (!registry.TryRegister(connection))
        {
            GatewayLog.ConnectionLimit(logger, _services.Options.MaxConnections);
            connection.Close((WebSocketCloseStatus)WorkflowCloseCodes.TryAgainLater, "gateway at its connection limit: retry later");
            await connection.RunAsync(static (_, _) => Task.CompletedTask);
            return;
        }

        try
        {
            await connection.RunAsync(onMessage, start);
        }
        finally
        {
            registry.Unregister(connection);
        }
    }
}
