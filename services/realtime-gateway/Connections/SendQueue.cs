using System.Threading.Tasks.Sources;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// One connection's bounded queue of frames to write. Above half its capacity it conflates: a live progress
/// update replaces the newest still-queued progress update of the same workflow (status changes are never
/// replaced), so a client that falls behind gets fewer, fresher frames. Full means the client stopped reading.
/// The ring is allocated on the first frame and grows on demand, so an idle connection holds one slot at most.
/// </summary>
/// <remarks>
/// One reader (the connection's writer loop). A client that keeps up has an empty queue, so its reader waits
/// again after every message: that wait reuses one <see cref="IValueTaskSource{TResult}"/> instead of a new
/// task per wake-up, so forwarding a message costs no allocation per client (see docs/benchmarks-micro.md).
/// </remarks>
internal sealed class SendQueue(int capacity) : IValueTaskSource<bool>
{
    private const int ConflationLookBack = 64;

    private readonly object _lock = new();
    private Slot[] _slots = [];
    private int _head;
    private int _count;
    private bool _completed;
    private TaskCompletionSource? _writable;

    // The reader's wait, reused: armed under the lock, completed by whoever claims it under the lock
    // (a writer, Complete, or the reader's cancellation), reset by the next wait.
    private ManualResetValueTaskSourceCore<bool> _reader = new() { RunContinuationsAsynchronously = true };
    private bool _readerWaiting;
    private bool _readerCancelled;
    private CancellationTokenRegistration _readerCancellation;

    public int Count
    {
        get { lock (_lock) { return _count; } }
    }

    /// <summary>Queues a live frame; may replace a queued progress frame of the same workflow.</summary>
    public EnqueueResult Enqueue(in OutboundFrame frame, string? workflowId, bool isProgress)
    {
        bool wake;
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
            wake = TakeReaderLocked();
        }

        if (wake)
        {
            _reader.SetResult(true);
        }

        return EnqueueResult.Queued;
    }

    /// <summary>
    /// Queues a keep-alive frame only if nothing else is queued: a queue with frames in it is not idle (what is queued
    /// keeps the stream alive once written), and a keep-alive must never count against a client catching up.
    /// </summary>
    public bool EnqueueIfEmpty(in OutboundFrame frame)
    {
        lock (_lock)
        {
            if (_completed || _count > 0)
            {
                return false;
            }

            AppendLocked(new Slot(frame, null, false));
            if (!TakeReaderLocked())
            {
                return true;
            }
        }

        _reader.SetResult(true);
        return true;
    }

    /// <summary>Queues a frame, waiting for room (catch-up and control frames are never conflated or refused).</summary>
    public async ValueTask EnqueueWaitingAsync(OutboundFrame frame, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            var wake = false;
            lock (_lock)
            {
                if (_completed)
                {
                    throw new OperationCanceledException("The connection is closing.");
                }

                if (_count < capacity)
                {
                    AppendLocked(new Slot(frame, null, false));
                    wake = TakeReaderLocked();
                    wait = Task.CompletedTask;
                }
                else
                {
                    _writable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _writable.Task;
                }
            }

            if (wake)
            {
                _reader.SetResult(true);
            }

            if (wait.IsCompleted)
            {
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

    /// <summary>Waits until a frame is queued (true) or the queue is completed and empty (false). One reader at a time.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        short token;
        lock (_lock)
        {
            if (_readerCancelled)
            {
                return ValueTask.FromException<bool>(new OperationCanceledException("The connection was aborted."));
            }

            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }

            if (_readerWaiting)
            {
                throw new InvalidOperationException("The send queue has one reader.");
            }

            _reader.Reset();
            _readerWaiting = true;
            token = _reader.Version;
            // Registered under the lock, so no writer can complete this wait (and GetResult dispose the registration)
            // before it is stored. A token cancelled meanwhile runs the callback here; the lock is re-entrant.
            // Registering and unregistering reuses the token source's callback nodes, so it allocates nothing.
            _readerCancellation = cancellationToken.UnsafeRegister(static (state, ct) => ((SendQueue)state!).CancelReader(ct), this);
        }

        return new ValueTask<bool>(this, token);
    }

    /// <summary>
    /// Ends the reader's wait, now and from now on, with <see cref="OperationCanceledException"/> (the connection was
    /// aborted). The owner calls this instead of passing a token to every wait: an idle connection then holds no
    /// cancellation registration.
    /// </summary>
    public void CancelReader()
    {
        bool cancel;
        lock (_lock)
        {
            _readerCancelled = true;
            cancel = TakeReaderLocked();
        }

        if (cancel)
        {
            _reader.SetException(new OperationCanceledException("The connection was aborted."));
        }
    }

    /// <summary>No more frames: readers drain what is queued, writers are refused.</summary>
    public void Complete()
    {
        TaskCompletionSource? writable;
        bool wake;
        lock (_lock)
        {
            _completed = true;
            wake = TakeReaderLocked();
            writable = TakeLocked(ref _writable);
        }

        if (wake)
        {
            // A waiting reader saw an empty queue, and nothing was added since (that would have woken it).
            _reader.SetResult(false);
        }

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
            var larger = new Slot[Math.Min(Math.Max(1, _slots.Length * 2), capacity)];
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

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        _readerCancellation.Dispose();
        _readerCancellation = default;
        return _reader.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _reader.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _reader.OnCompleted(continuation, state, token, flags);

    private void CancelReader(CancellationToken cancellationToken)
    {
        bool cancel;
        lock (_lock)
        {
            cancel = TakeReaderLocked();
        }

        if (cancel)
        {
            _reader.SetException(new OperationCanceledException(cancellationToken));
        }
    }

    /// <summary>Claims the waiting reader, if any: exactly one party completes each wait.</summary>
    private bool TakeReaderLocked()
    {
        var waiting = _readerWaiting;
        _readerWaiting = false;
        return waiting;
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
