namespace Vapora.WorkflowApi.Lifecycle;

internal static partial class RetentionLog
{
    [LoggerMessage(50, LogLevel.Information,
        "Retention sweep: compacted {Compacted} terminal workflows ({CompactedEntries} log entries), deleted {Deleted} ({DeletedEntries} entries), "
        + "{Keys} expired keys, in {Duration}; {Waiting} wait for the outbox")]
    public static partial void Swept(ILogger logger, int compacted, long compactedEntries, int deleted, long deletedEntries, long keys, TimeSpan duration, int waiting);

    [LoggerMessage(51, LogLevel.Warning, "Retention sweep failed; trying again in {Interval} ({Skipped} more failures since the last report)")]
    public static partial void SweepFailed(ILogger logger, TimeSpan interval, long skipped, Exception exception);

    [LoggerMessage(52, LogLevel.Information,
        "Retention: terminal workflows are compacted {CompactAfter} and deleted {DeleteAfter} after they end, idempotency keys expire after {KeyLifetime}; sweeping every {Interval}")]
    public static partial void Settings(ILogger logger, TimeSpan compactAfter, TimeSpan deleteAfter, TimeSpan keyLifetime, TimeSpan interval);
}
