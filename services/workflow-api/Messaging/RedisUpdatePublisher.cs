using System.Diagnostics;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.ServiceDefaults.Redis;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>
/// PUBLISHes to <c>vapora:wf:{id}</c> on the process's shared Redis connection, inside a producer span whose
/// <c>traceparent</c> travels in front of the JSON so the gateways continue the trace. Only a primary takes it: a
/// replica would accept a PUBLISH during a Sentinel failover but deliver it to its own subscribers only, so then the
/// publish fails and the outbox relay publishes it once the new primary is known.
/// </summary>
internal sealed class RedisUpdatePublisher(IConnectionMultiplexer redis, RedisWorkflowChannels channels) : IUpdatePublisher
{
    public async Task PublishAsync(StoredUpdate update, CancellationToken cancellationToken)
    {
        using var activity = ApiTelemetry.Source.StartActivity("vapora.publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("vapora.workflow_id", update.Update.WorkflowId);
        activity?.SetTag("vapora.version", update.Update.Version);
        var message = BackplaneMessage.Create(activity?.Id, update.Json.Span);
        await redis.GetSubscriber()
            .PublishAsync(channels.For(update.Update.WorkflowId), message, CommandFlags.DemandMaster)
            .WaitAsync(cancellationToken);
    }
}
