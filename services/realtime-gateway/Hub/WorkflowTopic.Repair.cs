using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Hub;

/// <remarks>The topic's side of gap repair: what <see cref="TopicRepair"/> asks and hands back, under the topic's lock.</remarks>
internal sealed partial class WorkflowTopic
{
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

    /// <summary>
    /// For <see cref="TopicRepair"/>: applies what the log returned; a full page asks for another round. False when the
    /// log no longer holds the version after the head (compacted): the topic must be reset from the state.
    /// </summary>
    internal bool ApplyRepair(IReadOnlyList<UpdateFrame> frames, bool fullPage)
    {
        lock (_lock)
        {
            if (_status == TopicStatus.Ready && frames is [var first, ..] && first.Version > _head + 1)
            {
                return false;
            }

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
            return true;
        }
    }

    /// <summary>
    /// For <see cref="TopicRepair"/>: the versions after the head are gone from the log (compacted), so the watchers
    /// cannot get them. Each gets the state marked as a reset, and the topic goes on from the state's version.
    /// </summary>
    internal bool ResetTo(WorkflowSnapshot snapshot)
    {
        lock (_lock)
        {
            if (_status != TopicStatus.Ready || snapshot.Version <= _head)
            {
                return false;
            }

            _head = snapshot.Version;
            _state.Reset(snapshot);
            _recent.ResetAfter(_head);
            var frame = _state.ResetFrame(_head, _recent);
            context.Metrics.Reset("compacted", _watchers.Count);
            FanOutLocked(frame);
            DrainPendingLocked();
            return true;
        }
    }

    /// <summary>
    /// For <see cref="TopicRepair"/>: the log ends below the head, because the store was restored from a backup. The
    /// versions after the state's are being handed out again, so the topic goes on from the state's version and each
    /// watcher gets the state marked as a reset (it may hold versions the store no longer has). Not confirmed: the
    /// next convergence check looks for versions written between the state's read and now, which arrived as duplicates.
    /// </summary>
    internal bool RewindTo(WorkflowSnapshot snapshot)
    {
        lock (_lock)
        {
            if (_status != TopicStatus.Ready || snapshot.Version >= _head)
            {
                return false;
            }

            _head = snapshot.Version;
            _state.Reset(snapshot);
            _recent.ResetAfter(_head);
            _pending.Clear();
            context.Metrics.Reset("rewound", _watchers.Count);
            FanOutLocked(_state.ResetFrame(_head, _recent));
            _dueForCheck = true;
            return true;
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

    private void StartRepairLocked(bool resync)
    {
        _resyncRequested |= resync;
        if (!_repairing)
        {
            _repairing = true;
            _repair = context.Repair.RunAsync(this);
        }
    }
}
