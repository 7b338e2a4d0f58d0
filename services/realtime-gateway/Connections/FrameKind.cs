namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// What a queued frame is, so that a transport never guesses from its bytes: an event stream writes an update as an
/// event with an id, other frames as the endpoint encoded them, and a keep-alive only once the stream has begun.
/// </summary>
internal enum FrameKind : byte
{
    /// <summary>An update or a state: the JSON of a WebSocket frame (on <c>/ws</c>, in its envelope).</summary>
    Update,

    /// <summary>A frame of the endpoint's protocol, encoded for its transport (a pong or error frame; an SSE <c>retry:</c> or named event).</summary>
    Control,

    /// <summary>A keep-alive the transport may drop (an event stream's heartbeat comment before the stream has begun).</summary>
    KeepAlive,
}
