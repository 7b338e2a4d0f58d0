using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>What every topic shares: limits, metrics, the clock, the gap repairer and the topics' log category.</summary>
internal sealed class TopicContext(IOptions<HubOptions> options, GatewayMetrics metrics, TimeProvider time, TopicRepair repair, ILogger<WorkflowTopic> logger)
{
    public HubOptions Options { get; } = options.Value;

    public GatewayMetrics Metrics { get; } = metrics;

    public TimeProvider Time { get; } = time;

    public TopicRepair Repair { get; } = repair;

    public ILogger Logger { get; } = logger;
}
