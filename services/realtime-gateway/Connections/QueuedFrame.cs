namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// A slot of a <see cref="SendQueue"/>: the frame; for a live update its workflow and whether it is progress (conflatable);
/// and whether it is catch-up (queued waiting for room, or into a reservation), which a live frame does not count against.
/// </summary>
internal readonly record struct QueuedFrame(OutboundFrame Frame, string? WorkflowId, bool IsProgress, bool IsCatchUp = false);
