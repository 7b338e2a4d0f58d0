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

    [LoggerMessage(32, LogLevel.Warning, "Outbox flush at shutdown did not finish; the relay of the next process will publish the rest")]
    public static partial void ShutdownFlushIncomplete(ILogger logger, Exception exception);
}
