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

    [LoggerMessage(4, LogLevel.Error,
        "MongoDB index {Index} on {Collection} conflicts with an existing index of the same name or keys but other options: {Reason} "
        + "Drop the old index (db.{Collection}.dropIndex(\"<name>\")); until then this API stays unready. Checking again in {Delay}")]
    public static partial void MongoIndexConflict(ILogger logger, string index, string collection, string reason, TimeSpan delay);

    [LoggerMessage(13, LogLevel.Error,
        "MongoDB index {Index} on {Collection} cannot be created ({Code}): {Reason} Calls go on without it (slower queries); fix or drop what is in the way. Readiness is degraded until then")]
    public static partial void MongoIndexCannotBeCreated(ILogger logger, string index, string collection, string code, string reason);

    [LoggerMessage(14, LogLevel.Information, "MongoDB indexes all built in database {Database}")]
    public static partial void MongoIndexesAllBuilt(ILogger logger, string database);

    [LoggerMessage(5, LogLevel.Information,
        "MongoDB store: database {Database}, write concern majority with journal (wtimeout {WriteConcernTimeout}), read concern majority, server selection timeout {ServerSelectionTimeout}, connect timeout {ConnectTimeout}")]
    public static partial void MongoSettings(ILogger logger, string database, TimeSpan serverSelectionTimeout, TimeSpan connectTimeout, TimeSpan writeConcernTimeout);

    [LoggerMessage(6, LogLevel.Warning, "The store did not answer {Operation} within {Timeout}; the request gets 503 ({Skipped} more store failures since the last report)")]
    public static partial void StoreTimedOut(ILogger logger, string operation, TimeSpan timeout, long skipped);

    [LoggerMessage(7, LogLevel.Warning, "The store cannot be reached ({Operation}); the request gets 503 ({Skipped} more store failures since the last report)")]
    public static partial void StoreUnavailable(ILogger logger, string operation, long skipped, Exception exception);

    [LoggerMessage(8, LogLevel.Error, "Store call {Operation} failed with an error retrying does not cure (a defect, not an outage): the request gets 500")]
    public static partial void StoreFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(9, LogLevel.Warning,
        "{Method} {Path} did not finish within {Timeout} (Storage:RequestTimeout); it gets 503 ({Skipped} more requests past their deadline since the last report)")]
    public static partial void RequestDeadlinePassed(ILogger logger, string method, string path, TimeSpan timeout, long skipped);

    [LoggerMessage(10, LogLevel.Warning, "Publishing {WorkflowId} v{Version} failed ({Reason}); the outbox relay will publish it ({Skipped} more failed since the last report)")]
    public static partial void PublishDeferred(ILogger logger, string workflowId, long version, string reason, long skipped);

    [LoggerMessage(11, LogLevel.Warning, "Recording {Count} updates as published failed; the relay may publish them again")]
    public static partial void MarkPublishedFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "{WorkflowId} v{Version} is stored but its summary was not moved; the outbox relay will move it")]
    public static partial void SummaryDeferred(ILogger logger, string workflowId, long version, Exception exception);

    [LoggerMessage(20, LogLevel.Information, "Workflow {WorkflowId} created")]
    public static partial void Created(ILogger logger, string workflowId);

    [LoggerMessage(21, LogLevel.Warning, "Update of {WorkflowId} gave up after racing other writers for {Elapsed}")]
    public static partial void Contended(ILogger logger, string workflowId, TimeSpan elapsed);
}
