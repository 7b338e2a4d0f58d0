namespace Vapora.WorkflowApi.Internal;

internal static partial class ApiLog
{
    [LoggerMessage(1, LogLevel.Warning,
        "STORAGE IS IN MEMORY: workflows are lost when this process stops, and API replicas do not share them. "
        + "Set ConnectionStrings__mongodb and Storage__Provider=mongodb for a durable store.")]
    public static partial void InMemoryStore(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "MongoDB indexes ready in database {Database}")]
    public static partial void MongoIndexesReady(ILogger logger, string database);

    [LoggerMessage(3, LogLevel.Warning, "Creating MongoDB indexes failed; retrying in {Delay}")]
    public static partial void MongoIndexesFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Publishing {WorkflowId} v{Version} failed ({Reason}); the outbox relay will publish it ({Skipped} more failed since the last report)")]
    public static partial void PublishDeferred(ILogger logger, string workflowId, long version, string reason, long skipped);

    [LoggerMessage(11, LogLevel.Warning, "Recording {Count} updates as published failed; the relay may publish them again")]
    public static partial void MarkPublishedFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(40, LogLevel.Warning, "TEST FAULTS ARE ENABLED (Faults:*): this process will crash on purpose. Never set Faults:* in production.")]
    public static partial void FaultsEnabled(ILogger logger);

    [LoggerMessage(41, LogLevel.Critical, "Fault injection: killing this process after storing {WorkflowId} v{Version}, before publishing it")]
    public static partial void FaultCrash(ILogger logger, string workflowId, long version);

    [LoggerMessage(20, LogLevel.Information, "Workflow {WorkflowId} created")]
    public static partial void Created(ILogger logger, string workflowId);

    [LoggerMessage(21, LogLevel.Warning, "Update of {WorkflowId} gave up after racing other writers")]
    public static partial void Contended(ILogger logger, string workflowId);
}
