using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Resume;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>What every connection uses, built once per process.</summary>
internal sealed class ConnectionServices(
    TopicRegistry topics,
    CatchUp catchUp,
    NotFoundCache notFound,
    WorkflowAccess access,
    IOptions<ConnectionOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<Connection> logger,
    TokenRefresh tokenRefresh)
{
    public TopicRegistry Topics { get; } = topics;

    public CatchUp CatchUp { get; } = catchUp;

    public WorkflowAccess Access { get; } = access;

    /// <summary>Workflows recently found missing.</summary>
    public NotFoundCache NotFound { get; } = notFound;

    public TokenRefresh TokenRefresh { get; } = tokenRefresh;

    public ConnectionOptions Options { get; } = options.Value;

    public GatewayMetrics Metrics { get; } = metrics;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;
}
