namespace Vapora.RealtimeGateway.Broker;

internal static partial class BackplaneLog
{
    [LoggerMessage(180, LogLevel.Warning, "No message made the round trip through this gateway's probe channel for {Seconds:0.0} s: the Redis link is silent or down. Watched workflows are read from the API until it delivers again")]
    public static partial void Silent(ILogger logger, double seconds);

    [LoggerMessage(181, LogLevel.Information, "The backplane delivers again after {Seconds:0.0} s without a round trip")]
    public static partial void Delivering(ILogger logger, double seconds);

    [LoggerMessage(182, LogLevel.Warning, "Degraded mode: reading {Workflows} watched workflows from the API each second while Redis is silent")]
    public static partial void DegradedStarted(ILogger logger, int workflows);

    [LoggerMessage(183, LogLevel.Information, "Degraded mode ended after {Seconds:0.0} s ({Reads} reads of the API); resyncing the watched workflows once more")]
    public static partial void DegradedEnded(ILogger logger, double seconds, long reads);

    [LoggerMessage(184, LogLevel.Debug, "Degraded read of {WorkflowId} failed")]
    public static partial void DegradedReadFailed(ILogger logger, string workflowId, Exception exception);
}
