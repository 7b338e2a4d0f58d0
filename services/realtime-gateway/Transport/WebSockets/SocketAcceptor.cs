using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>
/// Admits a socket (origin before the upgrade; token, drain and the request after it, as close codes every client can
/// see) and runs it as a <see cref="Connection"/> over a <see cref="WebSocketTransport"/>.
/// </summary>
internal sealed class SocketAcceptor(ConnectionHost host, IOptions<WebSocketTransportOptions> options, IOptions<ConnectionOptions> connections,
    GatewayMetrics metrics)
{
    private readonly int _maxInboundBytes = options.Value.MaxInboundMessageBytes;
    private readonly TimeSpan _keepAlive = connections.Value.KeepAliveInterval;

    /// <param name="http">The upgrade request.</param>
    /// <param name="problem">What is wrong with the request (4400), once it is known who asks; null when nothing is.</param>
    /// <param name="onMessage">The endpoint's handler of inbound text messages.</param>
    /// <param name="start">What the connection does first (subscribe), once admitted.</param>
    public async Task RunAsync(HttpContext http, string? problem, Func<Connection, ReadOnlyMemory<byte>, Task> onMessage, Func<Connection, Task>? start)
    {
        if (!await host.OriginAllowedAsync(http))
        {
            return;
        }

        if (await host.WaitTurnAsync(http) is not { } turn)
        {
            return;
        }

        WebSocket? socket = null;
        Connection? connection = null;
        Task run;
        try
        {
            socket = await http.WebSockets.AcceptWebSocketAsync(new Microsoft.AspNetCore.Http.WebSocketAcceptContext
            {
                KeepAliveInterval = _keepAlive,
                KeepAliveTimeout = _keepAlive,
            });
            var refusal = await host.AdmitAsync(http, problem);
            var transport = new WebSocketTransport(socket, WriteBatchingUpgrade.BatchingStreamOf(http), http, _maxInboundBytes, metrics, onMessage);
            connection = host.Open(transport, http, refusal);
            run = host.RunAsync(connection, ConnectionHost.RemoteAddressOf(http), refusal, turn, transport.ReceiveAsync, start, ProtocolFrames.TokenExpiring);
        }
        catch
        {
            // Its turn goes to the next connection whatever failed here (a client gone during the handshake).
            turn.Release();
            connection?.Dispose();
            socket?.Dispose();
            throw;
        }

        // This frame (and its parameters) lives as long as the socket: it keeps no delegate, closure or ticket it has
        // handed on, and no second reference to what it disposes.
        (onMessage, start, turn) = (null!, null, null!);
        try
        {
            await run;
        }
        finally
        {
            connection.Dispose();
            socket.Dispose();
        }
    }
}
