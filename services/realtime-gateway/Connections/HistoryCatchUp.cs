using Polly;
using Polly.Retry;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Brings a new subscription up to the topic: older versions come from the API a page at a time until the topic's
/// recent frames cover the rest; the hand-over to live delivery happens under the topic's lock
/// (<see cref="WorkflowTopic.TryAttach"/>), so no version falls between the two.
/// </summary>
internal sealed class HistoryCatchUp
{
    private readonly IUpdateLog _updateLog;
    private readonly int _pageSize;
    private readonly ResiliencePipeline<IReadOnlyList<UpdateFrame>?> _untilProgress;

    public HistoryCatchUp(IUpdateLog updateLog, GatewayOptions options, TimeProvider time)
    {
        _updateLog = updateLog;
        _pageSize = options.CatchUpPageSize;
        // The topic has versions the log did not return: only possible while the API is behind its own writes (it is
        // not, store comes before publish). Give it a moment (50, 100 … 250 ms), then give up and let the client resume.
        _untilProgress = new ResiliencePipelineBuilder<IReadOnlyList<UpdateFrame>?> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<IReadOnlyList<UpdateFrame>?>
            {
                ShouldHandle = new PredicateBuilder<IReadOnlyList<UpdateFrame>?>().HandleResult(frames => frames is { Count: 0 }),
                BackoffType = DelayBackoffType.Linear,
                Delay = TimeSpan.FromMilliseconds(50),
                UseJitter = false,
                MaxRetryAttempts = 5,
            })
            .Build();
    }

    /// <summary>
    /// Catches <paramref name="subscription"/> up from <paramref name="after"/> (null: the current state first) and
    /// attaches it; false when the workflow is gone or the log cannot catch it up.
    /// </summary>
    public async Task<bool> AttachAsync(WorkflowSubscription subscription, WorkflowTopic topic, long? after, CancellationToken cancellationToken)
    {
        var position = after;
        while (!topic.TryAttach(subscription, position))
        {
            var frames = await _untilProgress.ExecuteAsync(
                static (state, ct) => new ValueTask<IReadOnlyList<UpdateFrame>?>(
                    state.Log.GetHistoryAsync(state.Subscription.WorkflowId, state.Subscription.Position, state.PageSize, ct)),
                (Log: _updateLog, Subscription: subscription, PageSize: _pageSize),
                cancellationToken);
            if (frames is not { Count: > 0 })
            {
                return false;
            }

            foreach (var frame in frames)
            {
                await subscription.CatchUpAsync(frame);
            }

            position = subscription.Position;
        }

        return true;
    }
}
