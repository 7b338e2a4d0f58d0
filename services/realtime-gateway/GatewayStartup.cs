using OpenTelemetry.Metrics;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway;

/// <summary>
/// Wires the parts together once, before the server accepts a request: the hub becomes the broker's handler, and the
/// metrics observe the registries (the per-transport gauge lists the transports that were registered). No part does
/// this to itself in a constructor, so each can be built alone (tests, benchmarks) and the dependencies run one way.
/// </summary>
/// <remarks>
/// It takes the <see cref="MeterProvider"/> so that the provider listens before the metrics start their counters at 0:
/// the gateway's parts may be built earlier (the socket routes resolve theirs when the pipeline is built).
/// </remarks>
internal sealed class GatewayStartup(IWorkflowBroker broker, WorkflowHub hub, TopicRegistry topics, ConnectionRegistry connections,
    IEnumerable<TransportInfo> transports, GatewayMetrics metrics, MeterProvider meterProvider) : IHostedService
{
    private readonly TransportInfo[] _transports = [.. transports];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(meterProvider);
        metrics.StartCountersAtZero();
        broker.RegisterHandler(hub);
        metrics.ObserveTopics(() => topics.Count, () => broker.SubscribedChannels);
        metrics.ObserveConnections(() => connections.Count, () => connections.CountByTransport(_transports), () => connections.Limit,
            () => connections.QueuedFrames, () => connections.Subscriptions);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
