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
    /// <c>classic</c> (default): PUBLISH/SUBSCRIBE, right for one Redis. <c>sharded</c>: SPUBLISH/SSUBSCRIBE
    /// (Redis 7+), for Redis Cluster: each channel lives on the node of its slot, so a message travels to that node
    /// only instead of being broadcast to every node. API and gateways must use the same mode.
    /// </summary>
    public string PubSub { get; set; } = Modes.Classic;

    /// <summary>Known modes.</summary>
    public static class Modes
    {
        /// <summary>PUBLISH / SUBSCRIBE.</summary>
        public const string Classic = "classic";

        /// <summary>SPUBLISH / SSUBSCRIBE.</summary>
        public const string Sharded = "sharded";
    }
}

/// <summary>
/// The only place a workflow's <see cref="RedisChannel"/> is made: always a literal (an id must never be read as a
/// pattern), sharded or not per <see cref="RedisPubSubOptions.PubSub"/>. The id is the name's hash tag, so one
/// workflow maps to one cluster slot.
/// </summary>
public sealed class RedisWorkflowChannels(IOptions<RedisPubSubOptions> options)
{
    /// <summary>True in sharded mode.</summary>
    public bool IsSharded { get; } = options.Value.PubSub == RedisPubSubOptions.Modes.Sharded;

    /// <summary>The channel of one workflow.</summary>
    public RedisChannel For(string workflowId) => Channel(WorkflowChannels.NameFor(workflowId));

    /// <summary>A gateway process's probe channel.</summary>
    public RedisChannel Probe(string instanceId) => Channel(WorkflowChannels.ProbeFor(instanceId));

    private RedisChannel Channel(string name) => IsSharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);
}
