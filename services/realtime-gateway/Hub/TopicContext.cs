using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>What every topic shares: limits, metrics, the clock and the gap repairer.</summary>
internal sealed record TopicContext(GatewayOptions Options, GatewayMetrics Metrics, TimeProvider Time, TopicRepair Repair);
