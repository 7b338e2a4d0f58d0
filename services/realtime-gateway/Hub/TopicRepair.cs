using Polly;
using Polly.Retry;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// Fills a topic's gaps from the API's update log: reads after the head until the frames held ahead of the gap
/// connect (and, for a resync, until the log has no more). While the API does not answer, the read is retried with
/// exponential backoff (Polly); at most <see cref="GatewayOptions.MaxConcurrentRepairs"/> topics read at once.
/// </summary>
internal sealed class TopicRepair
{
    private static readonly ResiliencePropertyKey<WorkflowTopic> TopicKey = new("vapora.topic");

    private readonly IUpdateLog _updateLog;
    private readonly int _pageSize;
    private readonly SemaphoreSlim _gate;
    private readonly ResiliencePipeline _retry;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    public TopicRepair(IUpdateLog updateLog, GatewayOptions options, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        _updateLog = updateLog;
        _pageSize = options.CatchUpPageSize;
        _gate = new SemaphoreSlim(options.MaxConcurrentRepairs);
        _logger = logger;
        _stopping = stopping;
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
        try
        {
            await _gate.WaitAsync(_stopping);
            gateHeld = true;
            while (topic.TryStartRepairRound(out _))
            {
                var frames = await ReadAfterHeadAsync(topic);
                topic.ApplyRepair(frames, fullPage: frames.Count == _pageSize);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
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

    private async Task<IReadOnlyList<UpdateFrame>> ReadAfterHeadAsync(WorkflowTopic topic)
    {
        var context = ResilienceContextPool.Shared.Get(_stopping);
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
