namespace Vapora.RealtimeGateway.Connections;

/// <summary>A queued frame: the bytes, and when the API accepted the update (0 for catch-up and control frames).</summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, long AcceptedAtUnixMs);
