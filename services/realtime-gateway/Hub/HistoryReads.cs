using System.Threading.RateLimiting;
using Polly;
using Polly.Retry;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The gateway's catch-up reads of the API's history, bounded: at most <see cref="GatewayOptions.MaxConcurrentHistoryReads"/>
/// in flight and <see cref="GatewayOptions.HistoryReadQueueLimit"/> waiting; beyond that a read is refused at once, so a
/// reconnect storm cannot queue unbounded work here or on the API. Which resumes share a read is the topic's business
/// (<see cref="WorkflowTopic.AttachOrReadHistory"/>); this class only makes the calls.
/// </summary>
internal sealed class HistoryReads : IDisposable
{
    private readonly IUpdateLog _updateLog;
    private readonly GatewayMetrics _metrics;
    private readonly int _pageSize;
    private readonly ConcurrencyLimiter _limiter;
    private readonly ResiliencePipeline<IReadOnlyList<UpdateFrame>?> _untilProgress;
    private readonly CancellationToken _stopping;

    public HistoryReads(IUpdateLog updateLog, GatewayOptions options, GatewayMetrics metrics, TimeProvider time, CancellationToken stopping)
    {
        _updateLog = updateLog;
        _metrics = metrics;
        _pageSize = options.CatchUpPageSize;
        _stopping = stopping;
        Coalesce = options.CoalesceCatchUp;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrentHistoryReads,
            QueueLimit = options.HistoryReadQueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
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

    /// <summary>Whether resumes of the same workflow and position share one read (<see cref="GatewayOptions.CoalesceCatchUp"/>).</summary>
    public bool Coalesce { get; }

    /// <summary>
    /// Reads the page after <paramref name="after"/> for <paramref name="topic"/>, then hands it to the topic
    /// (<see cref="WorkflowTopic.CompleteHistoryRead"/>) before anyone waiting on it sees it. Called under the topic's
    /// lock: yields first. Not cancelled by any one waiter (others may share it); only by the gateway stopping.
    /// </summary>
    /// <exception cref="HistoryReadRefusedException">As many reads as allowed are in flight and queued.</exception>
    /// <exception cref="UpdateLogUnavailableException">The API did not answer.</exception>
    public async Task<IReadOnlyList<UpdateFrame>?> ReadAsync(WorkflowTopic topic, long after)
    {
        await Task.Yield();
        IReadOnlyList<UpdateFrame>? frames = null;
        try
        {
            using var permit = await _limiter.AcquireAsync(1, _stopping);
            if (!permit.IsAcquired)
            {
                _metrics.HistoryReadRefused();
                throw new HistoryReadRefusedException(topic.WorkflowId);
            }

            frames = await _untilProgress.ExecuteAsync(
                static async (state, ct) =>
                {
                    state.Self._metrics.HistoryRead();
                    return await state.Self._updateLog.GetHistoryAsync(state.Topic.WorkflowId, state.After, state.Self._pageSize, ct);
                },
                (Self: this, Topic: topic, After: after),
                _stopping);
            return frames;
        }
        finally
        {
            topic.CompleteHistoryRead(after, frames);
        }
    }

    /// <summary>Reads waiting for a slot.</summary>
    internal long Waiting => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    public void Dispose() => _limiter.Dispose();
}
