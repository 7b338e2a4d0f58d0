using StackExchange.Redis;

namespace Vapora.RealtimeGateway.Internal;

internal static partial class GatewayLog
{
    [LoggerMessage(100, LogLevel.Warning, "Could not unsubscribe from {WorkflowId}")]
    public static partial void UnsubscribeFailed(ILogger logger, string workflowId, Exception exception);

    [LoggerMessage(101, LogLevel.Information, "Redis connection restored ({ConnectionType}); {Workflows} watched workflows will resync")]
    public static partial void BackplaneRestored(ILogger logger, ConnectionType connectionType, int workflows);

    [LoggerMessage(132, LogLevel.Information, "Redis topology changed at {EndPoint} (failover, resharding or a node back); {Workflows} watched workflows will resync")]
    public static partial void TopologyChanged(ILogger logger, string endPoint, int workflows);

    [LoggerMessage(102, LogLevel.Warning, "Dropped a malformed message of {Length} bytes on the channel of {WorkflowId} ({Skipped} more dropped since the last report; see vapora.gateway.messages.dropped)")]
    public static partial void MalformedBackplaneMessage(ILogger logger, string workflowId, int length, long skipped);

    [LoggerMessage(104, LogLevel.Error, "Handling a message on the channel of {WorkflowId} failed; it was dropped")]
    public static partial void MessageHandlingFailed(ILogger logger, string workflowId, Exception exception);

    [LoggerMessage(103, LogLevel.Information, "Backplane delivers again; resyncing {Workflows} watched workflows from the update log")]
    public static partial void Resyncing(ILogger logger, int workflows);

    [LoggerMessage(106, LogLevel.Warning, "Probing the backplane after a reconnect failed; resyncing the watched workflows anyway")]
    public static partial void ResyncProbeFailed(ILogger logger, Exception exception);

    [LoggerMessage(105, LogLevel.Debug, "Forwarded {WorkflowId} v{Version} to {Watchers} local watchers")]
    public static partial void Forwarded(ILogger logger, string workflowId, long version, int watchers);

    [LoggerMessage(110, LogLevel.Warning, "Could not start watching {WorkflowId}")]
    public static partial void TopicInitializationFailed(ILogger logger, string workflowId, Exception exception);

    [LoggerMessage(111, LogLevel.Warning, "Gap repair of {WorkflowId} after v{Head} failed; retrying in {Delay}")]
    public static partial void RepairFailed(ILogger logger, string workflowId, long head, TimeSpan delay, Exception exception);

    [LoggerMessage(112, LogLevel.Error, "Gap repair of {WorkflowId} stopped unexpectedly")]
    public static partial void RepairCrashed(ILogger logger, string workflowId, Exception exception);

    [LoggerMessage(113, LogLevel.Warning, "Closing the topic of {WorkflowId} failed")]
    public static partial void TopicCloseFailed(ILogger logger, string workflowId, Exception exception);

    [LoggerMessage(114, LogLevel.Warning, "{WorkflowId} was at v{Head} here but the API has v{Latest}: a publish was lost; repairing")]
    public static partial void ConvergenceRepair(ILogger logger, string workflowId, long head, long latest);

    [LoggerMessage(118, LogLevel.Warning,
        "The update log of {WorkflowId} ends at {Latest}, below the version {Head} this gateway forwarded: the store was rewound (restored from a backup); its watchers get the state marked as a reset")]
    public static partial void StoreRewound(ILogger logger, string workflowId, long head, long latest);

    [LoggerMessage(115, LogLevel.Warning, "Convergence check of {WorkflowId} failed")]
    public static partial void ConvergenceCheckFailed(ILogger logger, string workflowId, Exception exception);

    [LoggerMessage(116, LogLevel.Error, "A watcher of {WorkflowId} failed at v{Version}; it was detached and its connection closed (1011, the client resumes), the other watchers got the version")]
    public static partial void WatcherFailed(ILogger logger, string workflowId, long version, Exception exception);

    [LoggerMessage(117, LogLevel.Warning, "Gap repair of {WorkflowId} after v{Head}: the log starts at v{First}, the versions between were compacted; its watchers are reset to the current state")]
    public static partial void RepairCompacted(ILogger logger, string workflowId, long head, long first);

    [LoggerMessage(120, LogLevel.Information, "Connection {ConnectionId} closed as a slow consumer ({Capacity} frames queued)")]
    public static partial void SlowConsumer(ILogger logger, long connectionId, int capacity);

    [LoggerMessage(121, LogLevel.Warning, "Connection {ConnectionId} could not catch up on {WorkflowId}")]
    public static partial void CatchUpFailed(ILogger logger, long connectionId, string workflowId, Exception exception);

    [LoggerMessage(125, LogLevel.Warning, "Refused to catch up a resume of {WorkflowId}: {MaxReads} history reads in flight and {QueueLimit} queued; the client resumes later ({Skipped} more refused since the last report; see vapora.gateway.catchup.refused)")]
    public static partial void CatchUpRefused(ILogger logger, string workflowId, int maxReads, int queueLimit, long skipped);

    [LoggerMessage(122, LogLevel.Error, "Connection {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(126, LogLevel.Debug, "Aborting connection {ConnectionId} failed; it ends anyway")]
    public static partial void AbortFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(130, LogLevel.Information, "Draining: closing {Connections} connections with 1001 over {Window}")]
    public static partial void Draining(ILogger logger, int connections, TimeSpan window);

    [LoggerMessage(131, LogLevel.Information, "Drained in {Elapsed} ({Remaining} connections left)")]
    public static partial void Drained(ILogger logger, int remaining, TimeSpan elapsed);

    [LoggerMessage(124, LogLevel.Warning, "Refused a socket or event stream from origin {Origin}")]
    public static partial void OriginRejected(ILogger logger, string origin);

    [LoggerMessage(127, LogLevel.Debug, "Refused a connection: {Reason}")]
    public static partial void ConnectionQuotaReached(ILogger logger, string reason);

    [LoggerMessage(128, LogLevel.Debug, "Closed {Connections} connections that watched nothing for {Timeout}")]
    public static partial void IdleConnectionsClosed(ILogger logger, int connections, TimeSpan timeout);

    [LoggerMessage(123, LogLevel.Warning, "Connection limit of {Limit} reached; refusing a new connection (sockets: 1013, event streams: 503)")]
    public static partial void ConnectionLimit(ILogger logger, int limit);

    [LoggerMessage(171, LogLevel.Information, "Connection {ConnectionId} refused an in-band token: {Reason}")]
    public static partial void TokenRefreshRefused(ILogger logger, long connectionId, string reason);

    [LoggerMessage(172, LogLevel.Information, "Connection {ConnectionId} refreshed its token; {Unsubscribed} subscriptions it no longer allows ended")]
    public static partial void TokenRefreshNarrowed(ILogger logger, long connectionId, int unsubscribed);
}
