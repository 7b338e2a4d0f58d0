using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>
/// Publishes an update right after it was stored (store, then publish). A failure is not the
/// caller's failure: the update is durable and the outbox relay publishes it later.
/// </summary>
/// <remarks>
/// A Redis link that went silent fails each publish only at its timeout. After three publishes in a row have failed
/// within two seconds a circuit breaker skips the publish for a second (the update goes to the relay at once), then lets
/// one through to try: so a dead link costs a PATCH that timeout now and then rather than every PATCH, while the
/// Redis client replaces the dead connection (docs/operations.md, "Quiet faults").
/// </remarks>
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
    private readonly ResiliencePipeline _breaker = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OutOfMemoryException),
            FailureRatio = 1.0,
            MinimumThroughput = 3,
            SamplingDuration = TimeSpan.FromSeconds(2),
            BreakDuration = TimeSpan.FromSeconds(1),
        })
        .Build();

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
            await _breaker.ExecuteAsync(static async (state, _) =>
            {
                using var timeout = new CancellationTokenSource(state.Timeout, state.Time);
                await state.Publisher.PublishAsync(state.Update, timeout.Token);
            }, (Publisher: publisher, Update: update, Timeout: _timeout, Time: time), CancellationToken.None);
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
