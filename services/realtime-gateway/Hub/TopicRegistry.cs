using System.Collections.Concurrent;
using System.Threading.Channels;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The gateway's watched workflows, reference-counted: the first local watcher creates the topic, subscribes to the
/// workflow's channel and reads its baseline; the last one to leave starts a grace period after which the topic is
/// removed and the channel unsubscribed (a watcher that comes back within it costs nothing). The reference counts live
/// here, each entry guarded by its own lock; the topics never see them.
/// </summary>
internal sealed class TopicRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, TopicEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _closing = new(StringComparer.Ordinal);
    private readonly Channel<(TopicEntry Entry, long IdleSince)> _idle = Channel.CreateUnbounded<(TopicEntry, long)>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly IWorkflowBroker _broker;
    private readonly IUpdateLog _updateLog;
    private readonly TimeProvider _time;
    private readonly ILogger<TopicRegistry> _logger;
    private readonly TopicContext _context;
    private readonly TimeSpan _grace;

    public TopicRegistry(IWorkflowBroker broker, IUpdateLog updateLog, TopicContext context, ILogger<TopicRegistry> logger)
    {
        _broker = broker;
        _updateLog = updateLog;
        _context = context;
        _time = context.Time;
        _logger = logger;
        _grace = context.Options.UnsubscribeGracePeriod;
    }

    /// <summary>Workflows with a live topic on this gateway (watched, or in their grace period).</summary>
    public int Count => _entries.Count;

    /// <summary>A snapshot of the topics (for the convergence check and resyncs).</summary>
    public IEnumerable<WorkflowTopic> Topics => _entries.Values.Select(e => e.Topic);

    /// <summary>The topic a backplane message goes to, if the workflow is watched here.</summary>
    public bool TryGet(string workflowId, out WorkflowTopic topic)
    {
        var found = _entries.TryGetValue(workflowId, out var entry);
        topic = entry?.Topic!;
        return found;
    }

    /// <summary>
    /// Takes a reference on the workflow's topic, creating and starting it if this is the first local watcher.
    /// A lease that holds a topic must be released once (<see cref="TopicLease.Release"/>).
    /// </summary>
    public async ValueTask<(TopicLease Lease, TopicStatus Status)> JoinAsync(string workflowId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(workflowId, static (id, context) => new TopicEntry(new WorkflowTopic(id, context)), _context);
            lock (entry)
            {
                if (entry.Removed)
                {
                    // Lost a race with its removal; the next GetOrAdd makes a fresh one.
                    continue;
                }

                entry.RefCount++;
                entry.Ready ??= StartAsync(entry.Topic, _closing.TryGetValue(workflowId, out var previous) ? previous : Task.CompletedTask);
            }

            TopicStatus status;
            try
            {
                status = await entry.Ready.WaitOrCancelAsync(cancellationToken);
            }
            catch
            {
                Release(entry);
                throw;
            }

            if (status == TopicStatus.Ready)
            {
                return (new TopicLease(this, entry), status);
            }

            Release(entry);
            return (default, status);
        }
    }

    /// <summary>Removes idle topics once their grace period is over. Runs for the life of the process.</summary>
    public async Task ReapIdleTopicsAsync(CancellationToken stoppingToken)
    {
        await foreach (var (entry, idleSince) in _idle.Reader.ReadAllAsync(stoppingToken))
        {
            var wait = _grace - _time.GetElapsedTime(idleSince);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, stoppingToken);
            }

            TryRemoveIdle(entry, idleSince);
        }
    }

    /// <summary>The next topic that went idle, if any (for a reaper driven by a test's scheduler instead of <see cref="ReapIdleTopicsAsync"/>).</summary>
    internal bool TryTakeIdle(out (TopicEntry Entry, long IdleSince) idle) => _idle.Reader.TryRead(out idle);

    /// <summary>Removes the topic if it is still idle since the same moment (nobody came and left meanwhile).</summary>
    internal bool TryRemoveIdle(TopicEntry entry, long idleSince)
    {
        lock (entry)
        {
            if (entry.RefCount != 0 || entry.Removed || entry.IdleSince != idleSince)
            {
                return false;
            }

            RemoveLocked(entry);
            return true;
        }
    }

    /// <summary>References held on the workflow's topic now (0 when it has none).</summary>
    internal int ReferencesOf(string workflowId)
    {
        if (!_entries.TryGetValue(workflowId, out var entry))
        {
            return 0;
        }

        lock (entry)
        {
            return entry.RefCount;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>Drops a reference; the last one schedules the removal after the grace period.</summary>
    internal void Release(TopicEntry entry)
    {
        long idleSince;
        lock (entry)
        {
            if (--entry.RefCount > 0)
            {
                return;
            }

            idleSince = entry.IdleSince = _time.GetTimestamp();
            if (entry.Ready is { IsCompletedSuccessfully: true } ready && ready.Result != TopicStatus.Ready)
            {
                // A failed topic is removed at once so that the next watcher tries afresh.
                RemoveLocked(entry);
                return;
            }
        }

        _idle.Writer.TryWrite((entry, idleSince));
    }

    /// <summary>Subscribes, then reads the baseline, so that nothing published falls between the two.</summary>
    private async Task<TopicStatus> StartAsync(WorkflowTopic topic, Task previousClose)
    {
        await Task.Yield();
        try
        {
            // A removed topic of the same workflow must finish unsubscribing before this one subscribes.
            await previousClose;
            await _broker.SubscribeAsync(topic.WorkflowId, _stopping.Token);
            var snapshot = await _updateLog.GetStateAsync(topic.WorkflowId, _stopping.Token);
            if (snapshot is null)
            {
                await topic.Stop(TopicStatus.NotFound);
                return TopicStatus.NotFound;
            }

            topic.Start(snapshot);
            return TopicStatus.Ready;
        }
        catch (Exception ex)
        {
            GatewayLog.TopicInitializationFailed(_logger, topic.WorkflowId, ex);
            await topic.Stop(TopicStatus.Unavailable);
            return TopicStatus.Unavailable;
        }
    }

    private void RemoveLocked(TopicEntry entry)
    {
        entry.Removed = true;
        var workflowId = entry.Topic.WorkflowId;
        _entries.TryRemove(new KeyValuePair<string, TopicEntry>(workflowId, entry));
        // Registered before the close starts, so a new topic of the same workflow waits for it.
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _closing[workflowId] = closed.Task;
        _ = CloseAsync(entry, closed);
    }

    private async Task CloseAsync(TopicEntry entry, TaskCompletionSource closed)
    {
        await Task.Yield();
        var workflowId = entry.Topic.WorkflowId;
        try
        {
            await (entry.Ready ?? Task.FromResult(TopicStatus.Stopped));
            await _broker.UnsubscribeAsync(workflowId);
            await entry.Topic.Stop(TopicStatus.Stopped);
        }
        catch (Exception ex)
        {
            GatewayLog.TopicCloseFailed(_logger, workflowId, ex);
        }
        finally
        {
            _closing.TryRemove(new KeyValuePair<string, Task>(workflowId, closed.Task));
            closed.TrySetResult();
        }
    }
}
