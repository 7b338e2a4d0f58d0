using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.ServiceDefaults;

namespace Vapora.RealtimeGateway.Resume;

/// <summary>
/// The gateway's catch-up reads of the API's history. Resumes of the same topic and position share one read while it
/// runs (one API call, the same encoded frames), and its frames extend the topic's memory backwards before it stops
/// being shared, so a resume that comes later finds them there: a reconnect storm costs the API a few reads per
/// workflow, not one per client. Bounded: at most <see cref="ResumeOptions.MaxConcurrentHistoryReads"/> in flight and
/// <see cref="ResumeOptions.HistoryReadQueueLimit"/> waiting; beyond that a read is refused at once.
/// </summary>
/// <remarks>Lock order: this class's lock, then a topic's (never the reverse: a topic never calls in here).</remarks>
internal sealed class HistoryReads : IDisposable
{
    private readonly IUpdateLog _updateLog;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<HistoryReads> _logger;
    private readonly ResumeOptions _options;
    private readonly LogBurst _refusedLog;
    private readonly int _pageSize;
    private readonly bool _coalesce;
    private readonly ConcurrencyLimiter _limiter;
    private readonly ResiliencePipeline<IReadOnlyList<UpdateFrame>?> _untilProgress;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _lock = new();
    private readonly Dictionary<(WorkflowTopic Topic, long After), Task<IReadOnlyList<UpdateFrame>?>> _reads = [];

    public HistoryReads(IUpdateLog updateLog, IOptions<ResumeOptions> options, IOptions<UpdateLogOptions> updateLogOptions, GatewayMetrics metrics,
        TimeProvider time, ILogger<HistoryReads> logger)
    {
        _updateLog = updateLog;
        _metrics = metrics;
        _logger = logger;
        _options = options.Value;
        // A storm refuses many at once: one line per window, with a count.
        _refusedLog = new LogBurst(time);
        _pageSize = updateLogOptions.Value.CatchUpPageSize;
        _coalesce = options.Value.CoalesceCatchUp;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.MaxConcurrentHistoryReads,
            QueueLimit = options.Value.HistoryReadQueueLimit,
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

    /// <summary>Reads waiting for a slot.</summary>
    internal long Waiting => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>
    /// The read of the page after <paramref name="after"/> of <paramref name="topic"/>: the one in flight, or a new one.
    /// False (and no read) when the topic's memory now holds that page after all (a shared read just ended): decide again.
    /// The read is not cancelled by any one waiter (others may share it); only by the gateway stopping. Its result is null
    /// when the workflow no longer exists.
    /// </summary>
    /// <exception cref="HistoryReadRefusedException">From the read: as many reads as allowed are in flight and queued.</exception>
    /// <exception cref="UpdateLogUnavailableException">From the read: the API did not answer.</exception>
    public bool TryJoin(WorkflowTopic topic, long after, out Task<IReadOnlyList<UpdateFrame>?> read)
    {
        if (!_coalesce)
        {
            read = ReadAsync(topic.WorkflowId, after);
            return true;
        }

        lock (_lock)
        {
            if (_reads.TryGetValue((topic, after), out read!))
            {
                _metrics.HistoryReadCoalesced();
                return true;
            }

            // Asked after a shared read of this page ended: it extended the memory in the same step that ended it.
            if (topic.View() is { IsReady: true } view && after >= view.OldestInMemory - 1)
            {
                return false;
            }

            read = ReadAndRememberAsync(topic, after);
            _reads[(topic, after)] = read;
            return true;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _limiter.Dispose();
    }

    /// <summary>Reads, then hands the frames to the topic's memory before the read stops being shared. Started under the lock: yields first.</summary>
    private async Task<IReadOnlyList<UpdateFrame>?> ReadAndRememberAsync(WorkflowTopic topic, long after)
    {
        await Task.Yield();
        IReadOnlyList<UpdateFrame>? frames = null;
        try
        {
            frames = await ReadAsync(topic.WorkflowId, after);
            return frames;
        }
        finally
        {
            lock (_lock)
            {
                if (frames is { Count: > 0 })
                {
                    topic.Remember(frames);
                }

                _reads.Remove((topic, after));
            }
        }
    }

    private async Task<IReadOnlyList<UpdateFrame>?> ReadAsync(string workflowId, long after)
    {
        await Task.Yield();
        var stopping = _stopping.Token;
        using var permit = await _limiter.AcquireAsync(1, stopping);
        if (!permit.IsAcquired)
        {
            _metrics.HistoryReadRefused();
            if (_refusedLog.ShouldLog(out var skipped))
            {
                GatewayLog.CatchUpRefused(_logger, workflowId, _options.MaxConcurrentHistoryReads, _options.HistoryReadQueueLimit, skipped);
            }

            throw new HistoryReadRefusedException(workflowId);
        }

        return await _untilProgress.ExecuteAsync(
            static async (state, ct) =>
            {
                state.Self._metrics.HistoryRead();
                return await state.Self._updateLog.GetHistoryAsync(state.WorkflowId, state.After, state.Self._pageSize, ct);
            },
            (Self: this, WorkflowId: workflowId, After: after),
            stopping);
    }
}
