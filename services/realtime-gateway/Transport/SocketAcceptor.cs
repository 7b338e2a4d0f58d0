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
        var transport = new WebSocketTransport(socket, _options.MaxInboundMessageBytes, metrics);
        using var connection = host.Open(transport, http);
        if (await host.RefusalAsync(http) is { } refusal)
        {
            connection.Close(refusal);
            await connection.RunAsync(c => transport.ReceiveAsync(c, WebSocketTransport.IgnoreMessage));
            return;
        }

        await host.RunAsync(connection, c => transport.ReceiveAsync(c, onMessage), start);
    }
}
