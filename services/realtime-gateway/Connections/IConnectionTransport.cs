using Vapora.Contracts;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// How a <see cref="Connection"/>'s frames reach its client: a WebSocket (<c>Transport/WebSockets</c>) or a Server-Sent
/// Events response (<c>Transport/EventStreams</c>). Everything else (admission, subscriptions, catch-up, the bounded
/// send queue, conflation, slow-consumer close, token expiry, drain) lives in the connection and is the same for every
/// transport.
/// </summary>
internal interface IConnectionTransport
{
    /// <summary>What this transport is (registered with the gateway as it starts, for the per-transport gauge).</summary>
    TransportInfo Info { get; }

    /// <summary>
    /// Writes one frame, as its <see cref="OutboundFrame.Kind"/> says. Called by the connection's writer loop only, one
    /// at a time. <paramref name="flush"/> is false when the writer has another frame to write right after this one:
    /// the transport may then keep the bytes to send them with the next (a bounded amount, see
    /// <see cref="ConnectionOptions.WriteBatchFrames"/>); with true, everything kept goes out now.
    /// </summary>
    ValueTask SendAsync(OutboundFrame frame, bool flush, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the stream with <paramref name="reason"/> after the last frame (a close handshake, a close event). A
    /// connection refused before it began (token, drain, limit, bad request) ends here too: each transport shows the
    /// refusal in its own form (a close code after the upgrade, an HTTP status before the stream).
    /// </summary>
    Task CloseAsync(CloseReason reason, CancellationToken cancellationToken);

    /// <summary>Drops the connection at once (the close timed out, or the peer is gone). Must not throw.</summary>
    void Abort();
}
