namespace Vapora.RealtimeGateway.Resume;

/// <summary>A catch-up history read was refused: as many reads as allowed are in flight and queued on this gateway.</summary>
internal sealed class HistoryReadRefusedException(string workflowId)
    : Exception($"Too many history reads in flight and queued to catch up {workflowId}; resume after a backoff.");
