using StackExchange.Redis;
using Vapora.Contracts;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// The only place a workflow's <see cref="RedisChannel"/> is made. Always a literal:
/// an id must never be read as a pattern.
/// </summary>
public static class RedisWorkflowChannels
{
    /// <summary>The channel of one workflow.</summary>
    public static RedisChannel For(string workflowId) => RedisChannel.Literal(WorkflowChannels.NameFor(workflowId));

    /// <summary>A gateway process's probe channel.</summary>
    public static RedisChannel Probe(string instanceId) => RedisChannel.Literal(WorkflowChannels.ProbeFor(instanceId));
}
