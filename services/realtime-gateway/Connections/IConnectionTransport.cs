using Vapora.Contracts;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// How a <see cref="Connection"/>'s frames reach its client: a WebSocket (<c>Transport/WebSocketTransport</c>) or a
/// Server-Sent Events response (<c>Transport/EventStreamTransport</c>). Everything else (subscriptions, catch-up, the bounded send queue,
/// conflation, slow-consumer close, token expiry, drain) lives in the connection and is the same for every transport.
/// </summary>
internal interface IConnectionTransport
{
    /// <summary>The transport's name in metrics (the <c>transport</c> label): <c>websocket</c> or <c>sse</c>.</summary>
    string Name { get; }

    /// <summary>Writes one frame (a text message, an event). Called by the connection's writer loop only, one at a time.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

    /// <summary>Ends the stream with <paramref name="reason"/> after the last frame (a close handshake, an end of response).</summary>
    Task CloseAsync(CloseReason reason, CancellationToken cancellationToken);

    /// <summary>Drops the connection at once (the close timed out, or the peer is gone). Must not throw.</summary>
    void Abort();
}
