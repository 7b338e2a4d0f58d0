using Microsoft.Extensions.Options;
using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>
/// Publishes an update right after it was stored (store, then publish). A failure is not the
/// caller's failure: the update is durable and the outbox relay publishes it later.
/// </summary>
public sealed class UpdateDispatcher(
    IUpdatePublisher publisher,
    PublishedMarks marks,
    FaultInjection faults,
    ApiMetrics metrics,
    TimeProvider time,
    IOptions<PublishingOptions> options,
    ILogger<UpdateDispatcher> logger)
{
    private readonly TimeSpan _timeout = options.Value.PublishTimeout;
    private readonly LogBurst _failureLog = new(time, TimeSpan.FromSeconds(10));

    /// <summary>Publishes now; never throws. The request's own token is not used: a client that hangs up must not stop a publish.</summary>
    public async Task DispatchAsync(StoredUpdate update)
    {
        faults.BeforePublish(update);
        try
        {
            using var timeout = new CancellationTokenSource(_timeout);
            await publisher.PublishAsync(update, timeout.Token);
            marks.Add(new UpdateKey(update.Update.WorkflowId, update.Update.Version));
            metrics.Published(relayed: false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            metrics.PublishFailed();
            if (_failureLog.ShouldLog(out var skipped))
            {
                ApiLog.PublishDeferred(logger, update.Update.WorkflowId, update.Update.Version, ex.Message, skipped);
            }
        }
    }
}
