namespace Vapora.WorkflowApi.Internal;

internal static partial class OutboxLog
{
    [LoggerMessage(30, LogLevel.Information, "Outbox relay published {Published} of {Due} stored but unpublished updates")]
    public static partial void Relayed(ILogger logger, int published, int due);

    [LoggerMessage(31, LogLevel.Warning, "Outbox relay pass failed; retrying at the next interval ({Skipped} more failed passes since the last report)")]
    public static partial void PassFailed(ILogger logger, long skipped, Exception exception);

    [LoggerMessage(33, LogLevel.Warning, "Outbox relay could not move the summary of {WorkflowId} to v{Version}; its updates stay in the outbox for the next pass ({Skipped} more failures since the last report)")]
    public static partial void SummaryStillBehind(ILogger logger, string workflowId, long version, long skipped, Exception exception);

    [LoggerMessage(34, LogLevel.Warning, "Outbox relay could not count its backlog; the backlog and oldest-age gauges show only its batch of {Batch} until the next count ({Skipped} more failures since the last report)")]
    public static partial void BacklogCountFailed(ILogger logger, int batch, long skipped, Exception exception);

    [LoggerMessage(35, LogLevel.Information, "This replica relays the outbox now: it took the outbox-relay lease as {Owner} ({Duration}, renewed while it runs)")]
    public static partial void LeaseTaken(ILogger logger, string owner, TimeSpan duration);

    [LoggerMessage(36, LogLevel.Warning, "This replica no longer holds the outbox-relay lease ({Owner}): another replica relays the outbox")]
    public static partial void LeaseLost(ILogger logger, string owner);

    [LoggerMessage(37, LogLevel.Warning, "The outbox-relay lease could not be given up at shutdown; another replica takes it when it expires, within {Duration}")]
    public static partial void LeaseNotReleased(ILogger logger, TimeSpan duration, Exception exception);

    [LoggerMessage(32, LogLevel.Warning, "Outbox flush at shutdown did not finish; the relay of the next process will publish the rest")]
    public static partial void ShutdownFlushIncomplete(ILogger logger, Exception exception);

    [LoggerMessage(38, LogLevel.Warning, "The heartbeat to the gateways could not be sent ({Reason}); gateways that heard this replica before read the API until it is heard again")]
    public static partial void HeartbeatFailed(ILogger logger, string reason);

    [LoggerMessage(39, LogLevel.Information, "The heartbeat to the gateways is sent again")]
    public static partial void HeartbeatSentAgain(ILogger logger);
}
