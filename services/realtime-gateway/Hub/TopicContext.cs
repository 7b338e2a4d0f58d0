using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>What every topic shares: limits, metrics, the clock, the gap repairer and the bounded catch-up reads.</summary>
internal sealed record TopicContext(GatewayOptions Options, GatewayMetrics Metrics, TimeProvider Time, TopicRepair Repair, HistoryReads HistoryReads);
