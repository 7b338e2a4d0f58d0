namespace Vapora.RealtimeGateway.Connections;

/// <summary>A queued frame: the bytes, what kind of frame they are, and when the API accepted the update (0 for catch-up and control frames).</summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, FrameKind Kind, long AcceptedAtUnixMs = 0);
