namespace Vapora.RealtimeGateway.Broker;

internal static partial class BackplaneLog
{
    [LoggerMessage(180, LogLevel.Warning, "No message made the round trip through this gateway's probe channel for {Seconds:0.0} s: the Redis link is silent or down. Watched workflows are read from the API until it delivers again")]
    public static partial void Silent(ILogger logger, double seconds);

    [LoggerMessage(181, LogLevel.Information, "The backplane delivers again after {Seconds:0.0} s without a round trip")]
    public static partial void Delivering(ILogger logger, double seconds);

    [LoggerMessage(182, LogLevel.Warning, "Degraded mode: reading {Workflows} watched workflows from the API each second while {Reason}")]
    public static partial void DegradedStarted(ILogger logger, int workflows, string reason);

    [LoggerMessage(183, LogLevel.Information, "Degraded mode ended after {Seconds:0.0} s ({Reads} reads of the API); resyncing the watched workflows once more")]
    public static partial void DegradedEnded(ILogger logger, double seconds, long reads);

    [LoggerMessage(184, LogLevel.Debug, "Degraded read of {WorkflowId} failed")]
    public static partial void DegradedReadFailed(ILogger logger, string workflowId, Exception exception);

    [LoggerMessage(185, LogLevel.Warning, "API replica {Instance} has sent no heartbeat for {Seconds:0.0} s while this gateway's Redis link delivers: its updates may not reach Redis. Watched workflows are read from the API until it is heard again")]
    public static partial void ApiReplicaSilent(ILogger logger, string instance, double seconds);

    [LoggerMessage(186, LogLevel.Information, "API replica {Instance} is heard again after {Seconds:0.0} s")]
    public static partial void ApiReplicaHeard(ILogger logger, string instance, double seconds);

    [LoggerMessage(188, LogLevel.Warning, "Could not subscribe to the API replicas' heartbeats ({Reason}); trying again each second")]
    public static partial void ApiHeartbeatSubscribeFailed(ILogger logger, string reason);

    [LoggerMessage(187, LogLevel.Information, "API replica {Instance} forgotten after {Seconds:0.0} s without a heartbeat (it stopped, or its link stays down: the convergence check covers it from now on)")]
    public static partial void ApiReplicaForgotten(ILogger logger, string instance, double seconds);
}
