using System.Net.WebSockets;
using Vapora.Contracts;
using Vapora.Contracts.WebSockets;

namespace Vapora.Client.Transports;

/// <summary>The single-workflow WebSocket: text frames in, a close code at the end.</summary>
internal sealed class WebSocketStreamConnection : IStreamConnection
{
    private static readonly ReadOnlyMemory<byte> Ping = """{"type":"ping"}"""u8.ToArray();
    private readonly WebSocket _socket;
    private readonly WebSocketMessageReader _reader;

    private WebSocketStreamConnection(WebSocket socket)
    {
        _socket = socket;
        _reader = new WebSocketMessageReader(socket);
    }

    public static async Task<Opened> OpenAsync(Uri url, ConnectionSettings options, CancellationToken cancellationToken)
    {
        try
        {
            var connect = options.Connect ?? DefaultConnectAsync;
            var socket = await connect(url, options, cancellationToken);
            // An application ping: its pong proves the gateway serves us, even when no update is due (a proxy may let
            // the upgrade through and then starve the socket).
            await socket.SendAsync(Ping, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            return Opened.Open(new WebSocketStreamConnection(socket));
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
        {
            return Opened.Failed(ex);
        }
    }

    /// <summary>Sends a text frame (a fresh token); one at a time, alongside the receive loop.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public async ValueTask<Received> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var message = await _reader.ReceiveAsync(cancellationToken);
            if (message.TooBig)
            {
                // Not a frame a gateway sends: drop this connection and resume on a fresh one.
                _socket.Abort();
                return Received.Failed(new InvalidDataException("The gateway sent a frame above 16 MiB."));
            }

            if (!message.IsClose)
            {
                return Received.Of(message.Bytes);
            }

            if (_socket.State == WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            }

            return Received.Closed((int?)_socket.CloseStatus ?? CloseReason.NoStatus.Code, _socket.CloseStatusDescription);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is WebSocketException or IOException or OperationCanceledException)
        {
            return Received.Failed(ex);
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<WebSocket> DefaultConnectAsync(Uri url, ConnectionSettings options, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = options.KeepAliveInterval;
        if (options.AccessToken is { } token)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        try
        {
            await socket.ConnectAsync(url, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
