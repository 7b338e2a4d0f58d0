using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vapora.Contracts;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>How workflow updates travel through Redis (section <c>Redis</c>).</summary>
public sealed class RedisPubSubOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Redis";

    /// <summary>
    /// <c>classic</c> (default) or <c>sharded</c>, in any case; anything else stops the process at start-up.
    /// API and gateways must use the same mode.
    /// </summary>
    public RedisPubSubMode PubSub { get; set; } = RedisPubSubMode.Classic;
}

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

    private RedisChannel Channel(string name) => IsSharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);
}
