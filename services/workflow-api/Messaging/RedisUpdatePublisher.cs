using StackExchange.Redis;
using Vapora.ServiceDefaults.Redis;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>PUBLISHes to <c>vapora:wf:{id}</c> on the process's shared Redis connection.</summary>
internal sealed class RedisUpdatePublisher(IConnectionMultiplexer redis) : IUpdatePublisher
{
    public Task PublishAsync(StoredUpdate update, CancellationToken cancellationToken) =>
        redis.GetSubscriber()
            .PublishAsync(RedisWorkflowChannels.For(update.Update.WorkflowId), update.Json)
            .WaitAsync(cancellationToken);
}
