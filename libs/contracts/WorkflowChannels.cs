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

    /// <summary>
    /// The one channel every API replica sends its heartbeat on (<see cref="ApiHeartbeat"/>): a gateway that hears a
    /// replica stop while its own link delivers knows that replica's updates stopped flowing, not only that none came.
    /// </summary>
    public const string ApiHeartbeatChannel = "vapora:heartbeat:{api}";
}
