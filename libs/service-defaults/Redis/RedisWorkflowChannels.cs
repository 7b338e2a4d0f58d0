using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vapora.Contracts;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// The only place a workflow's <see cref="RedisChannel"/> is made: always a literal (an id must never be read as a
/// pattern), sharded or not per <see cref="RedisPubSubOptions.PubSub"/>. The id is the name's hash tag, so one
/// workflow maps to one cluster slot.
/// </summary>
public sealed class RedisWorkflowChannels(IOptions<RedisPubSubOptions> options)
{
    /// <summary>True in sharded mode.</summary>
    public bool IsSharded { get; } = options.Value.PubSub == RedisPubSubMode.Sharded;

    /// <summary>The channel of one workflow.</summary>
    public RedisChannel For(string workflowId) => Channel(WorkflowChannels.NameFor(workflowId));

    /// <summary>A gateway process's probe channel.</summary>
    public RedisChannel Probe(string instanceId) => Channel(WorkflowChannels.ProbeFor(instanceId));

    /// <summary>The channel API replicas send their heartbeats on.</summary>
    public RedisChannel ApiHeartbeat => Channel(WorkflowChannels.ApiHeartbeatChannel);

    private RedisChannel Channel(string name) => IsSharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);
}
