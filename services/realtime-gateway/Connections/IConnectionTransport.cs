using Vapora.Contracts;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// How a <see cref="Connection"/>'s frames reach its client: a WebSocket today (<c>Transport/WebSocketTransport</c>),
/// a Server-Sent Events response tomorrow. Everything else (subscriptions, catch-up, the bounded send queue,
/// conflation, slow-consumer close, token expiry, drain) lives in the connection and is the same for every transport.
/// </summary>
internal interface IConnectionTransport
{
    /// <summary>Writes one frame (a text message, an event). Called by the connection's writer loop only, one at a time.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

    /// <summary>Ends the stream with <paramref name="reason"/> after the last frame (a close handshake, an end of response).</summary>
    Task CloseAsync(CloseReason reason, CancellationToken cancellationToken);

    /// <summary>Drops the connection at once (the close timed out, or the peer is gone). Must not throw.</summary>
    void Abort();
}
