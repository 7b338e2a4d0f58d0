namespace Vapora.RealtimeGateway.Connections;

/// <summary>A slot of a <see cref="SendQueue"/>: the frame, and for a live update its workflow and whether it is progress (conflatable).</summary>
internal readonly record struct QueuedFrame(OutboundFrame Frame, string? WorkflowId, bool IsProgress);
