using OpenTelemetry.Metrics;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Transport;

namespace Vapora.RealtimeGateway;

/// <summary>
/// Wires the parts together once, before the server accepts a request: the hub becomes the broker's handler, and the
/// metrics observe the registries. No part does this to itself in a constructor, so each can be built alone (tests,
/// benchmarks) and the dependencies run one way.
/// </summary>
/// <remarks>
/// It takes the <see cref="MeterProvider"/> so that the provider listens before the metrics start their counters at 0:
/// the gateway's parts may be built earlier (the socket routes resolve theirs when the pipeline is built).
/// </remarks>
internal sealed class GatewayStartup(IWorkflowBroker broker, WorkflowHub hub, TopicRegistry topics, ConnectionRegistry connections,
    GatewayMetrics metrics, MeterProvider meterProvider) : IHostedService
{
    private static readonly string[] Transports = [WebSocketTransport.TransportName, EventStreamTransport.TransportName];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(meterProvider);
        metrics.StartCountersAtZero();
        broker.RegisterHandler(hub);
        metrics.ObserveTopics(() => topics.Count, () => broker.SubscribedChannels);
        metrics.ObserveConnections(() => connections.Count, () => connections.CountByTransport(Transports), () => connections.Limit,
            () => connections.QueuedFrames, () => connections.Subscriptions);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
