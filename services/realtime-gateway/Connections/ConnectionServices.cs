using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>What every connection uses, built once per process.</summary>
internal sealed class ConnectionServices(
    TopicRegistry topics,
    IUpdateLog updateLog,
    WorkflowAccess access,
    GatewayOptions options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    public TopicRegistry Topics { get; } = topics;

    public IUpdateLog UpdateLog { get; } = updateLog;

    public WorkflowAccess Access { get; } = access;

    public GatewayOptions Options { get; } = options;

    public GatewayMetrics Metrics { get; } = metrics;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>Refused catch-ups are logged at most once per 10 s (a storm refuses many at once), with a count.</summary>
    public LogBurst RefusedCatchUpLog { get; } = new(time, TimeSpan.FromSeconds(10));
}
