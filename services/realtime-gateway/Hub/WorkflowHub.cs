using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// Routes backplane messages to topics and keeps one Redis subscription per watched workflow:
/// subscribed on the first local watcher, unsubscribed a grace period after the last one left.
/// </summary>
internal sealed class WorkflowHub : IBrokerListener, IDisposable
{
    private readonly ConcurrentDictionary<string, WorkflowTopic> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _closing = new(StringComparer.Ordinal);
    private readonly Channel<(WorkflowTopic Topic, long IdleSince)> _idle = Channel.CreateUnbounded<(WorkflowTopic, long)>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly IWorkflowBroker _broker;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkflowHub> _logger;
    private readonly TopicContext _context;
    private readonly TimeSpan _grace;
    private readonly LogBurst _malformedLog;
    private readonly BackplaneProbe _probe;
    private readonly object _resyncLock = new();
    private Task _resync = Task.CompletedTask;
    private bool _resyncRequested;

    public WorkflowHub(IWorkflowBroker broker, BackplaneProbe probe, IUpdateLog updateLog, IOptions<GatewayOptions> options,
        GatewayMetrics metrics, TimeProvider time, ILogger<WorkflowHub> logger)
    {
        _broker = broker;
        _probe = probe;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _grace = options.Value.UnsubscribeGracePeriod;
        _malformedLog = new LogBurst(time, TimeSpan.FromSeconds(10));
        _context = new TopicContext(broker, updateLog, options.Value, metrics, time,
            new SemaphoreSlim(options.Value.MaxConcurrentRepairs), logger, _stopping.Token);
        metrics.ObserveHub(this);
        broker.Attach(this);
    }

    /// <summary>Workflows with a live topic on this gateway.</summary>
    public int TopicCount => _topics.Count;

    /// <summary>Redis channels this gateway is subscribed to.</summary>
    public int SubscribedChannels => _broker.SubscribedChannels;

    /// <summary>A snapshot of the topics (for the convergence check and tests).</summary>
    public ICollection<WorkflowTopic> Topics => _topics.Values;

    /// <summary>
    /// Takes a reference on the workflow's topic, creating and initializing it if this is the first local watcher.
    /// Every successful join must be matched by one <see cref="Release"/>.
    /// </summary>
    public async Task<(WorkflowTopic? Topic, TopicStatus Status)> JoinAsync(string workflowId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var topic = _topics.GetOrAdd(workflowId, static (id, context) => new WorkflowTopic(id, context), _context);
            lock (topic.SyncRoot)
            {
                if (topic.Removed)
                {
                    // Lost a race with its removal; the next GetOrAdd makes a fresh one.
                    continue;
                }

                topic.RefCount++;
            }

            topic.EnsureStarted(_closing.TryGetValue(workflowId, out var previous) ? previous : Task.CompletedTask);
            TopicStatus status;
            try
            {
                status = await topic.Ready.WaitAsync(cancellationToken);
            }
            catch
            {
                Release(topic);
                throw;
            }

            if (status == TopicStatus.Ready)
            {
                return (topic, status);
            }

            Release(topic);
            return (null, status);
        }
    }

    /// <summary>Drops a reference; the last one schedules the unsubscribe after the grace period.</summary>
    public void Release(WorkflowTopic topic)
    {
        lock (topic.SyncRoot)
        {
            if (--topic.RefCount > 0)
            {
                return;
            }

            topic.IdleSince = _time.GetTimestamp();
            if (topic.Ready.IsCompletedSuccessfully && topic.Ready.Result != TopicStatus.Ready)
            {
                // A failed topic is removed at once so that the next watcher tries afresh.
                RemoveLocked(topic);
                return;
            }
        }

        _idle.Writer.TryWrite((topic, topic.IdleSince));
    }

    /// <summary>Removes idle topics once their grace period is over. Runs for the life of the process.</summary>
    public async Task ReapIdleTopicsAsync(CancellationToken stoppingToken)
    {
        await foreach (var (topic, idleSince) in _idle.Reader.ReadAllAsync(stoppingToken))
        {
            var wait = _grace - _time.GetElapsedTime(idleSince);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, stoppingToken);
            }

            lock (topic.SyncRoot)
            {
                // Still idle since the same moment (nobody came and left meanwhile)?
                if (topic.RefCount == 0 && !topic.Removed && topic.IdleSince == idleSince)
                {
                    RemoveLocked(topic);
                }
            }
        }
    }

    public void OnMessage(string workflowId, ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > _context.Options.MaxBackplaneMessageBytes)
        {
            _metrics.MessageDropped("oversized");
            if (_malformedLog.ShouldLog(out var dropped))
            {
                GatewayLog.MalformedBackplaneMessage(_logger, workflowId, payload.Length, dropped);
            }

            return;
        }

        var (traceParent, json) = BackplaneMessage.Split(payload);
        if (!WorkflowUpdateHeader.TryRead(json.Span, out var header) || header.WorkflowId != workflowId)
        {
            _metrics.MessageDropped("malformed");
            if (_malformedLog.ShouldLog(out var skipped))
            {
                GatewayLog.MalformedBackplaneMessage(_logger, workflowId, payload.Length, skipped);
            }
            return;
        }

        if (_topics.TryGetValue(workflowId, out var topic))
        {
            // The fan-out continues the trace of the REST request that stored the update.
            ActivityContext.TryParse(traceParent, null, out var parent);
            using var activity = GatewayTelemetry.Source.StartActivity("vapora.fanout", ActivityKind.Consumer, parent);
            activity?.SetTag("vapora.workflow_id", workflowId);
            activity?.SetTag("vapora.version", header.Version);
            activity?.SetTag("vapora.watchers", topic.WatcherCount);
            topic.OnPublished(new UpdateFrame(header, json, _time.GetTimestamp()));
            GatewayLog.Forwarded(_logger, workflowId, header.Version, topic.WatcherCount);
        }
        else
        {
            _metrics.MessageDropped("unwatched");
        }
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

                var waited = _time.GetTimestamp();
                while (!await _probe.RoundTripAsync(TimeSpan.FromSeconds(1), _stopping.Token)
                    && _time.GetElapsedTime(waited) < TimeSpan.FromSeconds(15))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), _time, _stopping.Token);
                }

                GatewayLog.Resyncing(_logger, _topics.Count);
                foreach (var topic in _topics.Values)
                {
                    topic.RequestResync();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void RemoveLocked(WorkflowTopic topic)
    {
        topic.Removed = true;
        _topics.TryRemove(new KeyValuePair<string, WorkflowTopic>(topic.WorkflowId, topic));
        // Registered before the close starts, so a new topic of the same workflow waits for it.
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        topic.Closed = closed.Task;
        _closing[topic.WorkflowId] = closed.Task;
        _ = CloseAsync(topic, closed);
    }

    private async Task CloseAsync(WorkflowTopic topic, TaskCompletionSource closed)
    {
        await Task.Yield();
        try
        {
            await topic.Ready;
            await _broker.UnsubscribeAsync(topic.WorkflowId);
            await topic.RepairCompletion;
        }
        catch (Exception ex)
        {
            GatewayLog.TopicCloseFailed(_logger, topic.WorkflowId, ex);
        }
        finally
        {
            _closing.TryRemove(new KeyValuePair<string, Task>(topic.WorkflowId, closed.Task));
            closed.TrySetResult();
        }
    }
}
