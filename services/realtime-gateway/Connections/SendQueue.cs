using System.Threading.Tasks.Sources;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// One connection's bounded queue of frames to write. Above half its capacity it conflates: a live progress
/// update replaces the newest still-queued progress update of the same workflow (status changes are never
/// replaced), so a client that falls behind gets fewer, fresher frames. Full means the client stopped reading.
/// The ring is allocated on the first frame and grows on demand, so an idle connection holds one slot at most.
/// </summary>
/// <remarks>
/// Catch-up never makes a queue overflow: it waits for room, and a topic's hand-over (taken under the topic's lock,
/// where nothing may wait) first reserves its slots, all or none, so no live frame can take them meanwhile. Only a
/// client that writes nothing at all while catch-up waits is found stalled. The one reader's side is in
/// SendQueue.Reader.cs.
/// </remarks>
internal sealed partial class SendQueue(int capacity) : IValueTaskSource<bool>
{
    private const int ConflationLookBack = 64;

    private readonly int _capacity = capacity;
    private readonly object _lock = new();
    private QueuedFrame[] _slots = [];
    private int _head;
    private int _count;
    private int _reserved;
    private int _catchUp;
    private long _dequeued;
    private bool _completed;
    private TaskCompletionSource? _writable;

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

            if (isProgress && workflowId is not null && _count >= _capacity / 2 && TryReplaceLocked(frame, workflowId))
            {
                return EnqueueResult.Conflated;
            }

            // Catch-up still queued is the client's backlog, not a sign that it stopped reading: live frames get room
            // of their own beside it (so at most twice the capacity is ever queued).
            if (_count - _catchUp >= _capacity)
            {
                return EnqueueResult.Full;
            }

            wake = AppendLocked(new QueuedFrame(frame, workflowId, isProgress));
        }

        WakeReader(wake);
        return EnqueueResult.Queued;
    }

    /// <summary>
    /// Queues a keep-alive frame only if nothing else is queued: a queue with frames in it is not idle (what is queued
    /// keeps the stream alive once written), and a keep-alive must never count against a client catching up.
    /// </summary>
    public bool EnqueueIfEmpty(in OutboundFrame frame)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed || _count > 0 || _reserved > 0)
            {
                return false;
            }

            wake = AppendLocked(new QueuedFrame(frame, null, false));
        }

        WakeReader(wake);
        return true;
    }

    /// <summary>Room for <paramref name="frames"/> frames, all or none, that only <see cref="EnqueueReserved"/> may fill.</summary>
    public bool TryReserve(int frames)
    {
        lock (_lock)
        {
            if (_completed || _count + _reserved + frames > _capacity)
            {
                return false;
            }

            _reserved += frames;
            return true;
        }
    }

    /// <summary>Queues a frame into a slot reserved with <see cref="TryReserve"/> (never conflated or refused).</summary>
    public void EnqueueReserved(in OutboundFrame frame)
    {
        var wake = false;
        lock (_lock)
        {
            if (_reserved == 0)
            {
                throw new InvalidOperationException("No slot is reserved.");
            }

            _reserved--;
            if (!_completed)
            {
                wake = AppendLocked(new QueuedFrame(frame, null, false, IsCatchUp: true));
            }
        }

        WakeReader(wake);
    }

    /// <summary>
    /// Waits until <paramref name="frames"/> more frames fit. False when the client stalled: not one frame was taken
    /// for <paramref name="stallTimeout"/> while this waited; a client that reads, however slowly, is waited for.
    /// </summary>
    /// <exception cref="OperationCanceledException">The queue was completed (the connection is closing), or <paramref name="cancellationToken"/>.</exception>
    public async ValueTask<bool> WaitForRoomAsync(int frames, TimeSpan stallTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            long dequeued;
            lock (_lock)
            {
                if (_completed)
                {
                    throw new OperationCanceledException("The connection is closing.");
                }

                if (_count + _reserved + frames <= _capacity)
                {
                    return true;
                }

                _writable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _writable.Task;
                dequeued = _dequeued;
            }

            try
            {
                await (stallTimeout == Timeout.InfiniteTimeSpan ? wait.WaitOrCancelAsync(cancellationToken) : wait.WaitAsync(stallTimeout, time, cancellationToken));
            }
            catch (TimeoutException)
            {
                lock (_lock)
                {
                    if (_dequeued == dequeued)
                    {
                        return false;
                    }
                }
            }
        }
    }

    /// <summary>Queues a frame, waiting for room (catch-up and control frames are never conflated or refused). False when the client stalled.</summary>
    /// <exception cref="OperationCanceledException">The queue was completed (the connection is closing), or <paramref name="cancellationToken"/>.</exception>
    public async ValueTask<bool> EnqueueWaitingAsync(OutboundFrame frame, TimeSpan stallTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        while (await WaitForRoomAsync(1, stallTimeout, time, cancellationToken))
        {
            bool wake;
            lock (_lock)
            {
                if (_completed || _count + _reserved >= _capacity)
                {
                    continue;
                }

                wake = AppendLocked(new QueuedFrame(frame, null, false, IsCatchUp: true));
            }

            WakeReader(wake);
            return true;
        }

        return false;
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

                slot = new QueuedFrame(frame, workflowId, true);
                return true;
            }
        }

        return false;
    }

    /// <summary>Appends; true when the reader waits and must be woken (outside the lock: <see cref="WakeReader"/>).</summary>
    private bool AppendLocked(in QueuedFrame slot)
    {
        if (_count == _slots.Length)
        {
            var larger = new QueuedFrame[Math.Min(Math.Max(1, _slots.Length * 2), 2 * _capacity)];
            for (var i = 0; i < _count; i++)
            {
                larger[i] = _slots[(_head + i) % _slots.Length];
            }

            _slots = larger;
            _head = 0;
        }

        _slots[(_head + _count) % _slots.Length] = slot;
        _count++;
        _catchUp += slot.IsCatchUp ? 1 : 0;
        return TakeReaderLocked();
    }

    private void WakeReader(bool wake)
    {
        if (wake)
        {
            _reader.SetResult(true);
        }
    }

    private static TaskCompletionSource? TakeLocked(ref TaskCompletionSource? source)
    {
        var taken = source;
        source = null;
        return taken;
    }
}
