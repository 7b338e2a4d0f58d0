namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// One connection's bounded queue of frames to write. Above half its capacity it conflates: a live progress
/// update replaces the newest still-queued progress update of the same workflow (status changes are never
/// replaced), so a client that falls behind gets fewer, fresher frames. Full means the client stopped reading.
/// The ring grows on demand, so an idle connection holds only a few slots.
/// </summary>
internal sealed class SendQueue(int capacity)
{
    private const int InitialSlots = 4;
    private const int ConflationLookBack = 64;

    private readonly object _lock = new();
    private Slot[] _slots = new Slot[InitialSlots];
    private int _head;
    private int _count;
    private bool _completed;
    private TaskCompletionSource? _readable;
    private TaskCompletionSource? _writable;

    public int Count
    {
        get { lock (_lock) { return _count; } }
    }

    /// <summary>Queues a live frame; may replace a queued progress frame of the same workflow.</summary>
    public EnqueueResult Enqueue(in OutboundFrame frame, string? workflowId, bool isProgress)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            if (_completed)
            {
                return EnqueueResult.Closed;
            }

            if (isProgress && workflowId is not null && _count >= capacity / 2 && TryReplaceLocked(frame, workflowId))
            {
                return EnqueueResult.Conflated;
            }

            if (_count >= capacity)
            {
                return EnqueueResult.Full;
            }

            AppendLocked(new Slot(frame, workflowId, isProgress));
            wake = TakeLocked(ref _readable);
        }

        wake?.TrySetResult();
        return EnqueueResult.Queued;
    }

    /// <summary>Queues a frame, waiting for room (catch-up and control frames are never conflated or refused).</summary>
    public async ValueTask EnqueueWaitingAsync(OutboundFrame frame, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            TaskCompletionSource? wake = null;
            lock (_lock)
            {
                if (_completed)
                {
                    throw new OperationCanceledException("The connection is closing.");
                }

                if (_count < capacity)
                {
                    AppendLocked(new Slot(frame, null, false));
                    wake = TakeLocked(ref _readable);
                    wait = Task.CompletedTask;
                }
                else
                {
                    _writable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _writable.Task;
                }
            }

            if (wake is not null || wait.IsCompleted)
            {
                wake?.TrySetResult();
                return;
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes the next frame, if any.</summary>
    public bool TryDequeue(out OutboundFrame frame)
    {
        TaskCompletionSource? wake = null;
        lock (_lock)
        {
            if (_count == 0)
            {
                frame = default;
                return false;
            }

            frame = _slots[_head].Frame;
            _slots[_head] = default;
            _head = (_head + 1) % _slots.Length;
            _count--;
            if (_count < capacity)
            {
                wake = TakeLocked(ref _writable);
            }
        }

        wake?.TrySetResult();
        return true;
    }

    /// <summary>Waits until a frame is queued (true) or the queue is completed and empty (false).</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_count > 0)
                {
                    return true;
                }

                if (_completed)
                {
                    return false;
                }

                _readable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _readable.Task;
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>No more frames: readers drain what is queued, writers are refused.</summary>
    public void Complete()
    {
        TaskCompletionSource? readable, writable;
        lock (_lock)
        {
            _completed = true;
            readable = TakeLocked(ref _readable);
            writable = TakeLocked(ref _writable);
        }

        readable?.TrySetResult();
        writable?.TrySetResult();
    }

    private bool TryReplaceLocked(in OutboundFrame frame, string workflowId)
    {
        // The newest queued frame of this workflow, if it is near the tail and is itself progress, gives way.
        for (var back = 1; back <= Math.Min(_count, ConflationLookBack); back++)
        {
            var index = (_head + _count - back) % _slots.Length;
            ref var slot = ref _slots[index];
            if (slot.WorkflowId == workflowId)
            {
                if (!slot.IsProgress)
                {
                    return false;
                }

                slot = new Slot(frame, workflowId, true);
                return true;
            }
        }

        return false;
    }

    private void AppendLocked(in Slot slot)
    {
        if (_count == _slots.Length)
        {
            var larger = new Slot[Math.Min(_slots.Length * 2, Math.Max(capacity, InitialSlots))];
            for (var i = 0; i < _count; i++)
            {
                larger[i] = _slots[(_head + i) % _slots.Length];
            }

            _slots = larger;
            _head = 0;
        }

        _slots[(_head + _count) % _slots.Length] = slot;
        _count++;
    }

    private static TaskCompletionSource? TakeLocked(ref TaskCompletionSource? source)
    {
        var taken = source;
        source = null;
        return taken;
    }

    private readonly record struct Slot(OutboundFrame Frame, string? WorkflowId, bool IsProgress);
}

/// <summary>What happened to a live frame.</summary>
internal enum EnqueueResult
{
    Queued,
    Conflated,
    Full,
    Closed,
}
