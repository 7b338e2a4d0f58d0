using System.Text.Json;
using Vapora.Contracts;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// One watched workflow's ordering and fan-out: the last version forwarded (the head), recent frames, the local
/// watchers, and frames that arrived ahead of a gap. It forwards versions to its watchers strictly in order, each
/// once; a gap is filled from the API's history by one <see cref="TopicRepair"/> run shared by all local watchers.
/// Its life (subscribe, reference counts, removal) belongs to <see cref="TopicRegistry"/>; everything here is guarded
/// by the topic's one lock, which the fan-out holds so that a watcher attaching never misses or doubles a version.
/// </summary>
internal sealed class WorkflowTopic(string workflowId, TopicContext context)
{
    private const int MaxPendingFrames = 10_000;

    private readonly object _lock = new();
    private readonly PendingFrames _pending = new(MaxPendingFrames);
    private readonly RecentFrames _recent = new(context.Options.RecentUpdatesPerWorkflow);
    private readonly WatcherSet _watchers = new();
    private TopicStatus _status = TopicStatus.Initializing;
    private long _head;
    private WorkflowStatus? _headStatus;
    private UpdateFrame? _headFrame;
    private UpdateFrame? _stateFrame;
    private string _name = string.Empty;
    private DateTimeOffset _createdAt;
    private Task _repair = Task.CompletedTask;
    private bool _repairing;
    private bool _resyncRequested;
    private long _lastConfirmed;

    // Catch-up reads of the history in flight, by the position they read after; created on the first, dropped with the last.
    private Dictionary<long, Task<IReadOnlyList<UpdateFrame>?>>? _reads;

    public string WorkflowId { get; } = workflowId;

    /// <summary>Last version forwarded; 0 before the baseline is known.</summary>
    public long Head
    {
        get { lock (_lock) { return _head; } }
    }

    /// <summary>Local watchers (for metrics and traces).</summary>
    public int WatcherCount => _watchers.Count;

    /// <summary>When this topic last agreed with the API or received a message (timestamp), for the convergence check.</summary>
    public long LastConfirmed => Volatile.Read(ref _lastConfirmed);

    /// <summary>The baseline is known (subscribed first, then read, so nothing fell between): forward from here.</summary>
    public void Start(WorkflowSnapshot snapshot)
    {
        lock (_lock)
        {
            _head = snapshot.Version;
            _headStatus = snapshot.StateFrame.Header.Status;
            _stateFrame = snapshot.StateFrame;
            _name = snapshot.Name;
            _createdAt = snapshot.CreatedAt;
            _recent.ResetAfter(_head);
            _status = TopicStatus.Ready;
            Confirm();
            DrainPendingLocked();
        }
    }

    /// <summary>Starting failed, or the topic was removed: it forwards nothing more. Returns the running repair, if any.</summary>
    public Task Stop(TopicStatus status)
    {
        lock (_lock)
        {
            _status = status;
            _pending.Clear();
            return _repair;
        }
    }

    /// <summary>A message from the backplane.</summary>
    public void OnPublished(UpdateFrame frame)
    {
        lock (_lock)
        {
            Confirm();
            if (_status == TopicStatus.Initializing)
            {
                _pending.Add(frame);
                return;
            }

            if (_status != TopicStatus.Ready)
            {
                return;
            }

            if (frame.Version <= _head)
            {
                context.Metrics.MessageDropped("duplicate");
                return;
            }

            if (frame.Version == _head + 1)
            {
                AdvanceLocked(frame);
                DrainPendingLocked();
                return;
            }

            _pending.Add(frame);
            StartRepairLocked(resync: false);
        }
    }

    /// <summary>
    /// Attaches a watcher positioned at <paramref name="after"/> (null: wants the current state first) if the versions
    /// it lacks are in memory, handing them over first. Otherwise returns false and the caller reads older history.
    /// </summary>
    public bool TryAttach(IWorkflowWatcher watcher, long? after)
    {
        lock (_lock)
        {
            return TryAttachLocked(watcher, after);
        }
    }

    /// <summary>
    /// Attaches <paramref name="watcher"/> if the versions it lacks after <paramref name="after"/> are in memory (and
    /// returns null), or returns the read of the history page after <paramref name="after"/> that it must catch up
    /// from first. Every resume that asks for the same position while that read runs shares it (one API call, the
    /// same encoded frames), and the read seeds the recent frames, so resumes that come later are served from memory.
    /// </summary>
    /// <exception cref="HistoryReadRefusedException">From the returned task: too many reads on this gateway.</exception>
    public Task<IReadOnlyList<UpdateFrame>?>? AttachOrReadHistory(IWorkflowWatcher watcher, long after)
    {
        lock (_lock)
        {
            if (TryAttachLocked(watcher, after))
            {
                return null;
            }

            var history = context.HistoryReads;
            if (!history.Coalesce)
            {
                return history.ReadAsync(this, after);
            }

            _reads ??= [];
            if (_reads.TryGetValue(after, out var shared))
            {
                context.Metrics.HistoryReadCoalesced();
                return shared;
            }

            var read = history.ReadAsync(this, after);
            _reads[after] = read;
            return read;
        }
    }

    /// <summary>
    /// For <see cref="HistoryReads"/>: a read after <paramref name="after"/> ended (null frames: it failed). Its frames
    /// up to the head extend the recent frames backwards, in the same step that stops sharing it, so a resume either
    /// joins the read or finds its frames in memory — never reads the same page again.
    /// </summary>
    internal void CompleteHistoryRead(long after, IReadOnlyList<UpdateFrame>? frames)
    {
        if (!context.HistoryReads.Coalesce)
        {
            return;
        }

        lock (_lock)
        {
            if (_reads is not null && _reads.Remove(after) && _reads.Count == 0)
            {
                _reads = null;
            }

            if (frames is { Count: > 0 } && _status == TopicStatus.Ready)
            {
                _recent.Seed(frames);
            }
        }
    }

    private bool TryAttachLocked(IWorkflowWatcher watcher, long? after)
    {
        if (after is null)
        {
            watcher.Deliver(CurrentStateLocked(), live: false);
        }
        else if (after.Value < _head)
        {
            // At (or, if this gateway lags, beyond) our head everything newer comes live; behind it, from memory.
            if (!_recent.Covers(after.Value))
            {
                return false;
            }

            foreach (var frame in _recent.After(after.Value))
            {
                watcher.Deliver(frame, live: false);
            }
        }

        _watchers.Add(watcher);
        return true;
    }

    /// <summary>Removes a watcher; it gets nothing more from this topic.</summary>
    public void Detach(IWorkflowWatcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>Messages may have been lost (backplane reconnect, convergence check): read the log after our head.</summary>
    public void RequestResync()
    {
        lock (_lock)
        {
            if (_status == TopicStatus.Ready)
            {
                StartRepairLocked(resync: true);
            }
        }
    }

    /// <summary>The head to compare with the API, unless the topic is not forwarding or already repairing.</summary>
    public bool TryGetQuietHead(out long head)
    {
        lock (_lock)
        {
            head = _head;
            return _status == TopicStatus.Ready && !_repairing;
        }
    }

    /// <summary>The topic agrees with the API (or just heard from the backplane).</summary>
    public void Confirm() => Volatile.Write(ref _lastConfirmed, context.Time.GetTimestamp());

    /// <summary>For <see cref="TopicRepair"/>: whether another read is needed, and after which version.</summary>
    internal bool TryStartRepairRound(out long after)
    {
        lock (_lock)
        {
            after = _head;
            if (_status != TopicStatus.Ready || (!_pending.HasGapAfter(_head) && !_resyncRequested))
            {
                _repairing = false;
                return false;
            }

            _resyncRequested = false;
            return true;
        }
    }

    /// <summary>For <see cref="TopicRepair"/>: applies what the log returned; a full page asks for another round.</summary>
    internal void ApplyRepair(IReadOnlyList<UpdateFrame> frames, bool fullPage)
    {
        lock (_lock)
        {
            var repaired = 0;
            foreach (var frame in frames)
            {
                if (_status == TopicStatus.Ready && frame.Version == _head + 1)
                {
                    AdvanceLocked(frame);
                    repaired++;
                }
            }

            DrainPendingLocked();
            Confirm();
            if (repaired > 0)
            {
                context.Metrics.GapRepaired(repaired);
            }

            _resyncRequested |= fullPage;
        }
    }

    /// <summary>For <see cref="TopicRepair"/>: the run ended early (shutdown or a bug); a later gap starts a new one.</summary>
    internal void EndRepair()
    {
        lock (_lock)
        {
            _repairing = false;
        }
    }

    private void AdvanceLocked(UpdateFrame frame)
    {
        frame.StatusChanged = _headStatus is not { } previous || previous != frame.Header.Status;
        _headStatus = frame.Header.Status;
        _head = frame.Version;
        _headFrame = frame;
        _recent.Add(frame);
        var watchers = _watchers.Deliver(frame);
        context.Metrics.Forwarded(watchers, context.Time.GetElapsedTime(frame.ReceivedAtTimestamp));
    }

    private void DrainPendingLocked()
    {
        while (_pending.TakeNext(_head) is { } next)
        {
            AdvanceLocked(next);
        }

        if (_pending.HasGapAfter(_head))
        {
            StartRepairLocked(resync: false);
        }
    }

    private void StartRepairLocked(bool resync)
    {
        _resyncRequested |= resync;
        if (!_repairing)
        {
            _repairing = true;
            _repair = context.Repair.RunAsync(this);
        }
    }

    /// <summary>The state at the head, built once per version from the head update and the creation fields.</summary>
    private UpdateFrame CurrentStateLocked()
    {
        if (_stateFrame is { } cached && cached.Version == _head)
        {
            return cached;
        }

        var update = JsonSerializer.Deserialize(_headFrame!.Json.Span, VaporaJsonContext.Default.WorkflowUpdate)!;
        var json = JsonSerializer.SerializeToUtf8Bytes(WorkflowState.From(update, _name, _createdAt), VaporaJsonContext.Default.WorkflowState);
        _stateFrame = new UpdateFrame(_headFrame.Header, json, _headFrame.ReceivedAtTimestamp);
        return _stateFrame;
    }
}
