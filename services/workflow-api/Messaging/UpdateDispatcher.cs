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
    IEnumerable<IBeforePublishHook> hooks,
    ApiMetrics metrics,
    TimeProvider time,
    IOptions<PublishingOptions> options,
    ILogger<UpdateDispatcher> logger)
{
    private readonly TimeSpan _timeout = options.Value.PublishTimeout;
    private readonly IBeforePublishHook[] _hooks = hooks.ToArray();
    private readonly LogBurst _failureLog = new(time);

    /// <summary>
    /// Publishes now; never throws. The request's own token is not used: a client that hangs up must not stop a publish.
    /// </summary>
    /// <returns>True when published; false when left to the outbox relay.</returns>
    public async Task<bool> PublishAsync(StoredUpdate update)
    {
        foreach (var hook in _hooks)
        {
            hook.BeforePublish(update);
        }

        try
        {
            using var timeout = new CancellationTokenSource(_timeout, time);
            await publisher.PublishAsync(update, timeout.Token);
            metrics.Published(relayed: false);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            metrics.PublishFailed();
            if (_failureLog.ShouldLog(out var skipped))
            {
                ApiLog.PublishDeferred(logger, update.Update.WorkflowId, update.Update.Version, ex.Message, skipped);
            }

            return false;
        }
    }
}
