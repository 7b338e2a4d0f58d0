using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// One watched workflow's ordering and fan-out: the last version forwarded (the head), recent frames, the local
/// watchers, and frames that arrived ahead of a gap. It forwards versions to its watchers strictly in order, each
/// once; a gap is filled from the API's history by one <see cref="TopicRepair"/> run shared by all local watchers.
/// Its life (subscribe, reference counts, removal) belongs to <see cref="TopicRegistry"/>; where a new watcher starts
/// is decided in <c>Resume/</c>, which only asks what the topic holds and attaches. Everything here is guarded by the
/// topic's one lock, which the fan-out holds so that a watcher attaching never misses or doubles a version. Its side
/// of gap repair is in WorkflowTopic.Repair.cs.
/// </summary>
internal sealed partial class WorkflowTopic(string workflowId, TopicContext context)
{
    private const int MaxPendingFrames = 10_000;

    private readonly object _lock = new();
    private readonly PendingFrames _pending = new(MaxPendingFrames);
    private readonly RecentFrames _recent = new(context.Options.RecentUpdatesPerWorkflow, context.RecentLog);
    private readonly WatcherSet _watchers = new();
    private readonly TopicState _state = new();
    private TopicStatus _status = TopicStatus.Initializing;
    private long _head;
    private Task _repair = Task.CompletedTask;
    private bool _repairing;
    private bool _resyncRequested;
    private long _lastConfirmed;
    private volatile bool _dueForCheck;

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

    /// <summary>A version came again (or the topic was just rewound): the convergence check looks at it next round, whatever its interval.</summary>
    public bool DueForCheck => _dueForCheck;

    /// <summary>The convergence check takes the topic up: a duplicate from now on makes it due again.</summary>
    public void ClearDueForCheck() => _dueForCheck = false;

    /// <summary>The baseline is known (subscribed first, then read, so nothing fell between): forward from here.</summary>
    public void Start(WorkflowSnapshot snapshot)
    {
        lock (_lock)
        {
            _head = snapshot.Version;
            _state.Reset(snapshot);
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
            _watchers.Clear();
            return _repair;
        }
    }

    /// <summary>A message from the backplane.</summary>
    public void OnPublished(UpdateFrame frame)
    {
        lock (_lock)
        {
            if (_status == TopicStatus.Ready && frame.Version <= _head)
            {
                // Normally a republish (outbox relay, overlapping resync). But a store restored from a backup hands out
                // versions again that this topic already forwarded: the convergence check tells which, at its next round.
                context.Metrics.MessageDropped("duplicate");
                _dueForCheck = true;
                return;
            }

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

    /// <summary>What a resume decides from: whether the topic forwards, its head, and how far back its memory goes.</summary>
    public TopicView View()
    {
        lock (_lock)
        {
            return new TopicView(_status == TopicStatus.Ready, _head, _recent.First);
        }
    }

    /// <summary>
    /// Attaches <paramref name="watcher"/> after its position if memory holds every version it lacks, handing those
    /// over first (none when it is at or beyond the head), all in one step so that nothing falls between.
    /// </summary>
    public AttachResult TryAttachFromMemory(IWorkflowWatcher watcher)
    {
        lock (_lock)
        {
            if (_status != TopicStatus.Ready)
            {
                return AttachResult.Closed;
            }

            var position = watcher.Position;
            if (position < _head && !_recent.Covers(position))
            {
                return AttachResult.NotInMemory;
            }

            var missing = (int)Math.Max(0, _head - position);
            var frames = missing > 0 ? _recent.CopyAfter(position, missing) : [];
            if (frames.Length < missing)
            {
                return AttachResult.NotInMemory; // the log wrote over one of them just now
            }

            if (missing > 0 && !watcher.TryReserve(missing))
            {
                return AttachResult.NoRoom;
            }

            foreach (var frame in frames)
            {
                watcher.HandOver(frame);
            }

            _watchers.Add(watcher);
            return AttachResult.Attached;
        }
    }

    /// <summary>
    /// Attaches <paramref name="watcher"/> with the current state first: as it is, or marked as a reset (the watcher's
    /// versions cannot be continued gap-free and it goes on from the state's version).
    /// </summary>
    public AttachResult TryAttachWithState(IWorkflowWatcher watcher, bool reset)
    {
        lock (_lock)
        {
            if (_status != TopicStatus.Ready)
            {
                return AttachResult.Closed;
            }

            if (!watcher.TryReserve(1))
            {
                return AttachResult.NoRoom;
            }

            watcher.HandOver(reset ? _state.ResetFrame(_head, _recent) : _state.Frame(_head, _recent));
            _watchers.Add(watcher);
            return AttachResult.Attached;
        }
    }

    /// <summary>Up to <paramref name="max"/> versions after <paramref name="position"/> from memory (for a catch-up that must make room).</summary>
    public IReadOnlyList<UpdateFrame> CopyFromMemory(long position, int max)
    {
        lock (_lock)
        {
            return _status == TopicStatus.Ready && _recent.Covers(position) ? _recent.CopyAfter(position, max) : [];
        }
    }

    /// <summary>
    /// Frames read from the history (contiguous, oldest first) extend the recent frames backwards, so that resumes
    /// from the same region are served from memory.
    /// </summary>
    public void Remember(IReadOnlyList<UpdateFrame> older)
    {
        lock (_lock)
        {
            if (older.Count > 0 && _status == TopicStatus.Ready)
            {
                _recent.Seed(older);
            }
        }
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

    private void AdvanceLocked(UpdateFrame frame)
    {
        _state.Advance(frame);
        _head = frame.Version;
        _recent.Add(frame);
        var watchers = FanOutLocked(frame);
        context.Metrics.Forwarded(watchers, context.Time.GetElapsedTime(frame.ReceivedAtTimestamp));
    }

    /// <summary>Hands <paramref name="frame"/> to every watcher; one that throws is detached and told, and the rest still get it.</summary>
    private int FanOutLocked(UpdateFrame frame)
    {
        List<(IWorkflowWatcher Watcher, Exception Error)>? failed = null;
        var delivered = _watchers.Deliver(frame, ref failed);
        if (failed is null)
        {
            return delivered; // the usual case: nothing to allocate (`failed ?? []` would make a list per frame)
        }

        foreach (var (watcher, error) in failed)
        {
            _watchers.Remove(watcher);
            GatewayLog.WatcherFailed(context.Logger, WorkflowId, frame.Version, error);
            try
            {
                watcher.Fail(error);
            }
            catch (Exception ex)
            {
                GatewayLog.WatcherFailed(context.Logger, WorkflowId, frame.Version, ex);
            }
        }

        return delivered;
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
}
