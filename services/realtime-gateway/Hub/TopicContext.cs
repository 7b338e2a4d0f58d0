using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>What every topic shares: limits, metrics, the clock, the gap repairer, the recent frames' bytes and the topics' log category.</summary>
internal sealed class TopicContext(IOptions<HubOptions> options, GatewayMetrics metrics, TimeProvider time, TopicRepair repair, ILogger<WorkflowTopic> logger)
{
    public HubOptions Options { get; } = options.Value;

    public GatewayMetrics Metrics { get; } = metrics;

    public TimeProvider Time { get; } = time;

    public TopicRepair Repair { get; } = repair;

    public ILogger Logger { get; } = logger;

    /// <summary>The bytes of every topic's recent frames (one budget for the process).</summary>
    public RecentFrameLog RecentLog { get; } = NewRecentLog(options.Value, metrics);

    private static RecentFrameLog NewRecentLog(HubOptions options, GatewayMetrics metrics)
    {
        var log = new RecentFrameLog(options.RecentFramesMaxBytes);
        metrics.ObserveRecentFrames(() => log.AllocatedBytes);
        return log;
    }
}
