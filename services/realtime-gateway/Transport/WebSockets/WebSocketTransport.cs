using System.Net.WebSockets;
using Vapora.Contracts;
using Vapora.Contracts.WebSockets;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>
/// A <see cref="Connection"/> over a WebSocket: frames go out as text messages, the close is a close handshake with
/// the <see cref="CloseReason"/>'s code, and the receive loop reads whole inbound messages within the size limit.
/// </summary>
/// <remarks>
/// The receive loop passes no cancellation token (an idle socket then holds no registration): <see cref="Abort"/>
/// aborts the HTTP connection underneath, which ends a pending read for sure.
/// </remarks>
/// <param name="batching">The stream under the socket that holds a batch's frames for one send; null: each frame is sent alone.</param>
internal sealed class WebSocketTransport(
    WebSocket socket, WriteBatchingStream? batching, HttpContext http, int maxInboundBytes, GatewayMetrics metrics,
    Func<Connection, ReadOnlyMemory<byte>, Task> onMessage)
    : IConnectionTransport
{
    /// <summary>A WebSocket: the client sends frames too (pings; on <c>/ws</c>, subscriptions).</summary>
    public static TransportInfo Info { get; } = new("websocket", IsBidirectional: true);

    TransportInfo IConnectionTransport.Info => Info;

    /// <summary>Every kind of frame is one text message; without <paramref name="flush"/> it waits under the socket for the batch's last.</summary>
    public ValueTask SendAsync(OutboundFrame frame, bool flush, CancellationToken cancellationToken)
    {
        batching?.Holding = !flush;
        return socket.SendAsync(frame.Bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    public Task CloseAsync(CloseReason reason, CancellationToken cancellationToken)
    {
        // The close frame goes out with anything still held.
        batching?.Holding = false;
        return socket.State is WebSocketState.Open or WebSocketState.CloseReceived
            ? socket.CloseOutputAsync((WebSocketCloseStatus)reason.Code, reason.Reason, cancellationToken)
            : Task.CompletedTask;
    }

    public void Abort()
    {
        try
        {
            socket.Abort();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            // Kestrel closes the connection, so a read pending underneath the WebSocket ends.
            http.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The connection does not abort an ended request; one that ends while this abort is on its way has nothing
            // left to drop.
        }
    }

    /// <summary>
    /// Reads inbound messages and hands each whole text message to the endpoint's message handler until the client's
    /// close frame arrives or the socket breaks. A binary or oversized message closes the connection; once closing (a
    /// refused connection is closing from the start), whatever still comes is read and ignored until the client's close
    /// frame.
    /// </summary>
    public async Task ReceiveAsync(Connection connection)
    {
        using var reader = new WebSocketMessageReader(socket, maxInboundBytes);
        try
        {
            while (true)
            {
                // Idle, only the zero-byte read is pending: no frame of the reader's waits with it.
                var message = await reader.ReceiveAsync(await reader.WaitAsync(CancellationToken.None), CancellationToken.None);
                if (message.IsClose)
                {
                    connection.Close(CloseReason.Normal);
                    return;
                }

                if (connection.IsClosing)
                {
                    continue;
                }

                if (message.Type == WebSocketMessageType.Binary)
                {
                    metrics.InboundRejected("binary");
                    connection.Close(CloseReason.UnsupportedData);
                }
                else if (message.TooBig)
                {
                    metrics.InboundRejected("too_big");
                    connection.Close(CloseReason.MessageTooBig(maxInboundBytes));
                }
                else
                {
                    await onMessage(connection, message.Bytes);
                }
            }
        }
        catch (Exception ex) when (Connection.IsPeerGone(ex))
        {
            // The client went away (or the close deadline aborted it): nothing to answer, stop the writer at once.
            connection.Abort();
        }
    }
}
