namespace Vapora.Contracts;

/// <summary>
/// Names of the Redis pub/sub channels. The id sits in braces, a Redis Cluster hash tag,
/// so one workflow maps to one slot and the same names work with sharded pub/sub.
/// </summary>
public static class WorkflowChannels
{
    /// <summary>Every workflow channel starts with this.</summary>
    public const string Prefix = "vapora:wf:";

    /// <summary>The channel of one workflow: <c>vapora:wf:{id}</c>.</summary>
    public static string NameFor(string workflowId) => string.Concat(Prefix, "{", workflowId, "}");

    /// <summary>Prefix of the health-probe channels, one per gateway process.</summary>
    public const string ProbePrefix = "vapora:probe:";

    /// <summary>A gateway's own probe channel, for pub/sub round trips (readiness, reconnect checks).</summary>
    public static string ProbeFor(string instanceId) => string.Concat(ProbePrefix, "{", instanceId, "}");

    /// <summary>Gets the workflow id back from a channel name; false for foreign channels.</summary>
    public static bool TryGetWorkflowId(string? channel, out string workflowId)
    {
        workflowId = string.Empty;
        if (channel is null
            || !channel.StartsWith(Prefix + "{", StringComparison.Ordinal)
            || !channel.EndsWith('}'))
        {
            return false;
        }

        workflowId = channel.Substring(Prefix.Length + 1, channel.Length - Prefix.Length - 2);
        return WorkflowIds.IsValid(workflowId);
    }
}
