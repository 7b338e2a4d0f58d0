using System.Threading.Tasks.Sources;

namespace Vapora.RealtimeGateway.Connections;

/// <remarks>
/// The reader's side: one reader (the connection's writer loop). A client that keeps up has an empty queue, so its
/// reader waits again after every message: that wait reuses one <see cref="IValueTaskSource{TResult}"/> instead of a
/// new task per wake-up, so forwarding a message costs no allocation per client (see docs/benchmarks-micro.md).
/// </remarks>
internal sealed partial class SendQueue
{
    // The reader's wait, reused: armed under the lock, completed by whoever claims it under the lock
    // (a writer, Complete, or the reader's cancellation), reset by the next wait.
    private ManualResetValueTaskSourceCore<bool> _reader = new() { RunContinuationsAsynchronously = true };
    private bool _readerWaiting;
    private bool _readerCancelled;
    private CancellationTokenRegistration _readerCancellation;

    /// <summary>Takes the next frame, if any.</summary>
    public bool TryDequeue(out OutboundFrame frame) => TryDequeue(out frame, out _);

    /// <summary>
    /// Takes the next frame, if any; <paramref name="more"/> tells whether another is queued behind it. Only the reader
    /// takes frames, so when it is true the reader's next <see cref="TryDequeue(out OutboundFrame)"/> gets one.
    /// </summary>
    public bool TryDequeue(out OutboundFrame frame, out bool more)
    {
        TaskCompletionSource? wake = null;
        lock (_lock)
        {
            if (_count == 0)
            {
                frame = default;
                more = false;
                return false;
            }

            frame = _slots[_head].Frame;
            _catchUp -= _slots[_head].IsCatchUp ? 1 : 0;
            _slots[_head] = default;
            _head = (_head + 1) % _slots.Length;
            _count--;
            more = _count > 0;
            _dequeued++;
            if (_count + _reserved < _capacity)
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
}
