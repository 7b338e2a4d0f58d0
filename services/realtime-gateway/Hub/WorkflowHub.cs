using System.Diagnostics;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The broker's handler: routes each backplane message to its workflow's topic, and after a backplane reconnect has
/// every watched workflow read the log after its head. Registered with the broker at start-up.
/// </summary>
internal sealed class WorkflowHub : IBrokerHandler, IDisposable
{
    private readonly TopicRegistry _topics;
    private readonly BackplaneProbe _probe;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkflowHub> _logger;
    private readonly int _maxMessageBytes;
    private readonly LogBurst _malformedLog;
    private readonly ResiliencePipeline<bool> _untilDelivering;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _resyncLock = new();
    private Task _resync = Task.CompletedTask;
    private bool _resyncRequested;

    public WorkflowHub(TopicRegistry topics, BackplaneProbe probe, IOptions<HubOptions> options, GatewayMetrics metrics,
        TimeProvider time, ILogger<WorkflowHub> logger)
    {
        _topics = topics;
        _probe = probe;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _maxMessageBytes = options.Value.MaxBackplaneMessageBytes;
        _malformedLog = new LogBurst(time);
        // Probe every 250 ms until a round trip succeeds, for at most 15 s; resync either way.
        _untilDelivering = new ResiliencePipelineBuilder<bool> { TimeProvider = time }
            .AddTimeout(TimeSpan.FromSeconds(15))
            .AddRetry(new RetryStrategyOptions<bool>
            {
                ShouldHandle = new PredicateBuilder<bool>().HandleResult(false),
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxRetryAttempts = int.MaxValue,
            })
            .Build();
    }

    public void OnMessage(string workflowId, ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > _maxMessageBytes)
        {
            Drop("oversized", workflowId, payload.Length);
            return;
        }

        var (traceParent, json) = BackplaneMessage.Split(payload);
        if (!WorkflowUpdateHeader.TryRead(json.Span, workflowId, out var header))
        {
            Drop("malformed", workflowId, payload.Length);
            return;
        }

        if (!_topics.TryGet(workflowId, out var topic))
        {
            _metrics.MessageDropped("unwatched");
            return;
        }

        // The fan-out continues the trace of the REST request that stored the update.
        ActivityContext.TryParse(traceParent, null, out var parent);
        using var activity = GatewayTelemetry.Source.StartActivity("vapora.fanout", ActivityKind.Consumer, parent);
        activity?.SetTag("vapora.workflow_id", workflowId);
        activity?.SetTag("vapora.version", header.Version);
        activity?.SetTag("vapora.watchers", topic.WatcherCount);
        topic.OnPublished(new UpdateFrame(header, json, _time.GetTimestamp()));
        GatewayLog.Forwarded(_logger, workflowId, header.Version, topic.WatcherCount);
    }

    public void OnReconnected()
    {
        lock (_resyncLock)
        {
            _resyncRequested = true;
            if (_resync.IsCompleted)
            {
                _resync = ResyncAfterReconnectAsync();
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Drop(string reason, string workflowId, int length)
    {
        _metrics.MessageDropped(reason);
        if (_malformedLog.ShouldLog(out var skipped))
        {
            GatewayLog.MalformedBackplaneMessage(_logger, workflowId, length, skipped);
        }
    }

    /// <summary>
    /// Once the subscription connection delivers again (a probe message makes the round trip, so the channels are
    /// resubscribed), every watched workflow reads the log after its head: whatever was published meanwhile arrives.
    /// </summary>
    private async Task ResyncAfterReconnectAsync()
    {
        await Task.Yield();
        try
        {
            while (true)
            {
                lock (_resyncLock)
                {
                    if (!_resyncRequested)
                    {
                        return;
                    }

                    _resyncRequested = false;
                }

                try
                {
                    await _untilDelivering.ExecuteAsync(
                        static (probe, ct) => new ValueTask<bool>(probe.RoundTripAsync(TimeSpan.FromSeconds(1), ct)), _probe, _stopping.Token);
                }
                catch (TimeoutRejectedException)
                {
                    // Still not delivering: resync anyway; whatever the reads miss, the convergence check finds later.
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    // An unexpected probe failure must not end the resync task with this request lost.
                    GatewayLog.ResyncProbeFailed(_logger, ex);
                }

                var topics = _topics.Topics.ToList();
                GatewayLog.Resyncing(_logger, topics.Count);
                foreach (var topic in topics)
                {
                    topic.RequestResync();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }
}
