using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>Checks the page origin, upgrades the request, and runs the connection over a <see cref="WebSocketTransport"/>.</summary>
internal sealed class SocketAcceptor(ConnectionHost host, IOptions<GatewayOptions> options, GatewayMetrics metrics, ILogger<SocketAcceptor> logger)
{
    private readonly GatewayOptions _options = options.Value;

    public async Task RunAsync(HttpContext http, Func<Connection, ReadOnlyMemory<byte>, Task> onMessage, Func<Connection, Task>? start)
    {
        if (await OriginPolicy.RefusedAsync(http, _options, metrics, logger))
        {
            return;
        }

        var acceptContext = new Microsoft.AspNetCore.Http.WebSocketAcceptContext
        {
            KeepAliveInterval = _options.KeepAliveInterval,
            KeepAliveTimeout = _options.KeepAliveInterval,
        };
        using var socket = await http.WebSockets.AcceptWebSocketAsync(acceptContext);
        var refusal = await host.RefusalAsync(http);
        var transport = new WebSocketTransport(socket, http, _options.MaxInboundMessageBytes, metrics,
            refusal is null ? onMessage : WebSocketTransport.IgnoreMessage);
        using var connection = host.Open(transport, http, refused: refusal is not null);
        if (refusal is not null)
        {
            connection.Close(refusal);
            await connection.RunAsync(transport.ReceiveAsync);
            return;
        }

        // This frame (and its parameters) lives as long as the socket: it keeps no delegate (or closure) it has
        // handed on.
        var run = host.RunAsync(connection, transport.ReceiveAsync, start);
        (onMessage, start) = (null!, null);
        await run;
    }
}
