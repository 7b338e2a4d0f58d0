using Vapora.RealtimeGateway.Broker;

namespace Vapora.Bench.Micro.Internal;

/// <summary>
/// Stands in for Redis on the subscribe side only (subscribing is not on the forward path). Messages are handed to the
/// hub exactly as <see cref="RedisWorkflowBroker"/> does: <see cref="IBrokerHandler.OnMessage"/> with the raw bytes.
/// </summary>
internal sealed class NullBroker : IWorkflowBroker
{
    private int _channels;

    public int SubscribedChannels => _channels;

    public void RegisterHandler(IBrokerHandler handler)
    {
    }

    public Task SubscribeAsync(string workflowId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _channels);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(string workflowId)
    {
        Interlocked.Decrement(ref _channels);
        return Task.CompletedTask;
    }
}
