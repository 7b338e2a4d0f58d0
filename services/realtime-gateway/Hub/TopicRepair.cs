using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// Fills a topic's gaps from the API's update log: reads after the head until the frames held ahead of the gap
/// connect (and, for a resync, until the log has no more). While the API does not answer, the read is retried with
/// exponential backoff (Polly); at most <see cref="HubOptions.MaxConcurrentRepairs"/> topics read at once. A gap the
/// log can no longer fill (compacted) resets the topic's watchers to the state.
/// </summary>
internal sealed class TopicRepair : IDisposable
{
    private static readonly ResiliencePropertyKey<WorkflowTopic> TopicKey = new("vapora.topic");

    private readonly IUpdateLog _updateLog;
    private readonly int _pageSize;
    private readonly SemaphoreSlim _gate;
    private readonly ResiliencePipeline _retry;
    private readonly ILogger<TopicRepair> _logger;
    private readonly CancellationTokenSource _stopping = new();

    public TopicRepair(IUpdateLog updateLog, IOptions<HubOptions> options, IOptions<UpdateLogOptions> updateLogOptions, TimeProvider time,
        ILogger<TopicRepair> logger)
    {
        _updateLog = updateLog;
        _pageSize = updateLogOptions.Value.CatchUpPageSize;
        _gate = new SemaphoreSlim(options.Value.MaxConcurrentRepairs);
        _logger = logger;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<UpdateLogUnavailableException>(),
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                UseJitter = false,
                // Until the API answers or the gateway stops: the watchers wait for exactly these versions.
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(TopicKey, out var topic))
                    {
                        GatewayLog.RepairFailed(_logger, topic.WorkflowId, topic.Head, args.RetryDelay, args.Outcome.Exception!);
                    }

                    return default;
                },
            })
            .Build();
    }

    /// <summary>Runs the repair of <paramref name="topic"/> to its end. Called under the topic's lock: yields first.</summary>
    public async Task RunAsync(WorkflowTopic topic)
    {
        await Task.Yield();
        var gateHeld = false;
        var stopping = _stopping.Token;
        try
        {
            await _gate.WaitAsync(stopping);
            gateHeld = true;
            while (topic.TryStartRepairRound(out var after))
            {
                var frames = await ReadAfterHeadAsync(topic, stopping);
                if (!topic.ApplyRepair(frames, fullPage: frames.Count == _pageSize))
                {
                    GatewayLog.RepairCompacted(_logger, topic.WorkflowId, after, frames[0].Version);
                    if (!await ResetAsync(topic, stopping))
                    {
                        // The state is not ahead of the head after all (a log that disagrees with itself): stop here
                        // rather than read the same page in a loop; the next message or check starts over.
                        topic.EndRepair();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            topic.EndRepair();
        }
        catch (Exception ex)
        {
            GatewayLog.RepairCrashed(_logger, topic.WorkflowId, ex);
            topic.EndRepair();
        }
        finally
        {
            if (gateHeld)
            {
                _gate.Release();
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>The store was rewound below the topic's head: the topic goes on from the store's state.</summary>
    public async Task RewindAsync(WorkflowTopic topic, CancellationToken cancellationToken)
    {
        var snapshot = await _updateLog.GetStateAsync(topic.WorkflowId, cancellationToken);
        if (snapshot is not null)
        {
            topic.RewindTo(snapshot);
        }
    }

    private async Task<bool> ResetAsync(WorkflowTopic topic, CancellationToken stopping)
    {
        var snapshot = await _retry.ExecuteAsync(
            static async (state, ct) => await state.Log.GetStateAsync(state.Topic.WorkflowId, ct),
            (Log: _updateLog, Topic: topic),
            stopping);
        return snapshot is not null && topic.ResetTo(snapshot);
    }

    private async Task<IReadOnlyList<UpdateFrame>> ReadAfterHeadAsync(WorkflowTopic topic, CancellationToken stopping)
    {
        var context = ResilienceContextPool.Shared.Get(stopping);
        context.Properties.Set(TopicKey, topic);
        try
        {
            // Each attempt reads after the head of that moment: live messages may have moved it meanwhile.
            return await _retry.ExecuteAsync(
                static async (context, state) => await state.Log.GetHistoryAsync(
                    state.Topic.WorkflowId, state.Topic.Head, state.PageSize, context.CancellationToken) ?? [],
                context,
                (Log: _updateLog, Topic: topic, PageSize: _pageSize));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
