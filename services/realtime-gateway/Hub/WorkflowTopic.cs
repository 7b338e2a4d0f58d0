using System.Text.Json;
using Vapora.Contracts;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// Everything this gateway knows about one watched workflow: the last version it forwarded (the head),
/// recent frames, the local watchers, and updates that arrived ahead of a gap. It forwards versions to
/// its watchers strictly in order, each once; a gap is filled from the API's history by one fetch shared
/// by all local watchers.
/// </summary>
internal sealed class WorkflowTopic
{
    private const int MaxPendingFrames = 10_000;
    private const int InitialWatcherSlots = 4;

    private readonly object _lock = new();
    private readonly TopicContext _context;
    private readonly SortedList<long, UpdateFrame> _pending = [];
    private readonly RecentFrames _recent;
    private readonly TaskCompletionSource<TopicStatus> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Guarded by _lock, like the fan-out that reads them. Joins and leaves edit in place (amortized growth, swap-remove),
    // so churn on a workflow with many watchers does not copy the whole set per join or leave.
    private IWorkflowWatcher?[] _watchers = [];
    private int _watcherCount;
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
    private Task? _initialization;

    public WorkflowTopic(string workflowId, TopicContext context)
    {
        WorkflowId = workflowId;
        _context = context;
        _recent = new RecentFrames(context.Options.RecentUpdatesPerWorkflow);
    }

    public string WorkflowId { get; }

    /// <summary>Completes when the channel is subscribed and the baseline is known, or initialization failed.</summary>
    public Task<TopicStatus> Ready => _ready.Task;

    // Lifecycle fields, owned by the hub and guarded by this topic's lock.
    internal int RefCount;
    internal bool Removed;
    internal long IdleSince;
    internal Task Closed = Task.CompletedTask;

    /// <summary>Last-version forwarded; 0 before the baseline is known.</summary>
    public long Head
    {
        get { lock (_lock) { return _head; } }
    }

    /// <summary>Local watchers (for metrics and tests).</summary>
    public int WatcherCount => Volatile.Read(ref _watcherCount);

    /// <summary>When this topic last agreed with the API or received a message (timestamp ticks), for the convergence check.</summary>
    internal long LastConfirmed;

    internal object SyncRoot => _lock;

    /// <summary>Starts initialization once: subscribe, then read the baseline, so nothing falls between the two.</summary>
    public void EnsureStarted(Task previousClose)
    {
        lock (_lock)
        {
            _initialization ??= InitializeAsync(previousClose);
        }
    }

    private async Task InitializeAsync(Task previousClose)
    {
        await Task.Yield();
        TopicStatus status;
        try
        {
            // A removed topic of the same workflow must finish unsubscribing before this one subscribes.
            await previousClose;
            await _context.Broker.SubscribeAsync(WorkflowId, _context.Stopping);
            var snapshot = await _context.UpdateLog.GetStateAsync(WorkflowId, _context.Stopping);
            if (snapshot is null)
            {
                status = TopicStatus.NotFound;
            }
            else
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
                    LastConfirmed = _context.Time.GetTimestamp();
                    DrainPendingLocked();
                }

                status = TopicStatus.Ready;
            }
        }
        catch (Exception ex)
        {
            GatewayLog.TopicInitializationFailed(_context.Logger, WorkflowId, ex);
            status = TopicStatus.Unavailable;
        }

        if (status != TopicStatus.Ready)
        {
            lock (_lock)
            {
                _status = status;
                _pending.Clear();
            }
        }

        _ready.TrySetResult(status);
    }

    /// <summary>A message from the backplane.</summary>
    public void OnPublished(UpdateFrame frame)
    {
        lock (_lock)
        {
            LastConfirmed = _context.Time.GetTimestamp();
            switch (_status)
            {
                case TopicStatus.Initializing:
                    AddPendingLocked(frame);
                    return;
                case TopicStatus.Ready:
                    break;
                default:
                    return;
            }

            if (frame.Version <= _head)
            {
                _context.Metrics.MessageDropped("duplicate");
                return;
            }

            if (frame.Version == _head + 1)
            {
                AdvanceLocked(frame);
                DrainPendingLocked();
                return;
            }

            AddPendingLocked(frame);
            StartRepairLocked(resync: false);
        }
    }

    /// <summary>
    /// Attaches a watcher positioned at <paramref name="after"/> (null: wants the current state first) if the
    /// versions it lacks are in memory. Otherwise returns false and the caller fetches older history first.
    /// </summary>
    public bool TryAttach(IWorkflowWatcher watcher, long? after, Action<UpdateFrame> send, Action<long> setPosition)
    {
        lock (_lock)
        {
            if (after is null)
            {
                var state = CurrentStateLocked();
                send(state);
                setPosition(state.Version);
            }
            else if (after.Value >= _head)
            {
                // At (or, if this gateway lags, beyond) our head: everything newer comes live; older versions are skipped.
                setPosition(after.Value);
            }
            else if (_recent.Covers(after.Value))
            {
                foreach (var frame in _recent.After(after.Value))
                {
                    send(frame);
                }

                setPosition(_head);
            }
            else
            {
                return false;
            }

            if (_watcherCount == _watchers.Length)
            {
                Array.Resize(ref _watchers, Math.Max(InitialWatcherSlots, _watchers.Length * 2));
            }

            _watchers[_watcherCount] = watcher;
            Volatile.Write(ref _watcherCount, _watcherCount + 1);
            return true;
        }
    }

    /// <summary>Removes a watcher; it gets nothing more from this topic.</summary>
    public void Detach(IWorkflowWatcher watcher)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_watchers, watcher, 0, _watcherCount);
            if (index < 0)
            {
                return;
            }

            // Order among watchers carries no meaning: the last one takes the leaver's slot.
            var last = _watcherCount - 1;
            _watchers[index] = _watchers[last];
            _watchers[last] = null;
            Volatile.Write(ref _watcherCount, last);
            if (last <= _watchers.Length / 4 && _watchers.Length > InitialWatcherSlots)
            {
                Array.Resize(ref _watchers, _watchers.Length / 2);
            }
        }
    }

    /// <summary>After a backplane reconnect: messages may have been lost, so read the log after our head.</summary>
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

    /// <summary>Asks the API whether anything newer than our head exists (a lost publish); repairs if so.</summary>
    public async Task CheckConvergenceAsync(CancellationToken cancellationToken)
    {
        long head;
        lock (_lock)
        {
            if (_status != TopicStatus.Ready || _repairing)
            {
                return;
            }

            head = _head;
        }

        var newer = await _context.UpdateLog.GetHistoryAsync(WorkflowId, head, 1, cancellationToken);
        if (newer is { Count: > 0 })
        {
            GatewayLog.ConvergenceRepair(_context.Logger, WorkflowId, head, newer[0].Version);
            RequestResync();
        }
        else
        {
            LastConfirmed = _context.Time.GetTimestamp();
        }
    }

    /// <summary>Waits for a running repair to end (used when the topic is removed).</summary>
    public Task RepairCompletion
    {
        get { lock (_lock) { return _repair; } }
    }

    private void AdvanceLocked(UpdateFrame frame)
    {
        frame.StatusChanged = _headStatus is not { } previous || previous != frame.Header.Status;
        _headStatus = frame.Header.Status;
        _head = frame.Version;
        _headFrame = frame;
        _recent.Add(frame);
        // Deliver only queues bytes and never calls back into this topic, so the set cannot change during the loop.
        var watchers = _watchers;
        var count = _watcherCount;
        for (var i = 0; i < count; i++)
        {
            watchers[i]!.Deliver(frame);
        }

        _context.Metrics.Forwarded(count, _context.Time.GetElapsedTime(frame.ReceivedAtTimestamp));
    }

    private void DrainPendingLocked()
    {
        while (_pending.Count > 0)
        {
            var first = _pending.Keys[0];
            if (first <= _head)
            {
                _pending.RemoveAt(0);
                continue;
            }

            if (first != _head + 1)
            {
                StartRepairLocked(resync: false);
                return;
            }

            var frame = _pending.Values[0];
            _pending.RemoveAt(0);
            AdvanceLocked(frame);
        }
    }

    private void AddPendingLocked(UpdateFrame frame)
    {
        // Past this bound the newest is dropped: the repair reads it back from the log.
        if (_pending.Count < MaxPendingFrames || frame.Version < _pending.Keys[^1])
        {
            _pending[frame.Version] = frame;
            if (_pending.Count > MaxPendingFrames)
            {
                _pending.RemoveAt(_pending.Count - 1);
            }
        }
    }

    private void StartRepairLocked(bool resync)
    {
        _resyncRequested |= resync;
        if (_repairing)
        {
            return;
        }

        _repairing = true;
        _repair = RepairAsync();
    }

    /// <summary>Reads the log after the head until the pending frames connect (and, for a resync, until the log has no more).</summary>
    private async Task RepairAsync()
    {
        await Task.Yield();
        var delay = TimeSpan.FromMilliseconds(200);
        var gateHeld = false;
        try
        {
            await _context.RepairGate.WaitAsync(_context.Stopping);
            gateHeld = true;
            while (true)
            {
                long from;
                bool resync;
                lock (_lock)
                {
                    var gap = _pending.Count > 0 && _pending.Keys[0] > _head + 1;
                    if (Removed || (!gap && !_resyncRequested))
                    {
                        _repairing = false;
                        return;
                    }

                    from = _head;
                    resync = _resyncRequested;
                    _resyncRequested = false;
                }

                IReadOnlyList<UpdateFrame>? frames;
                try
                {
                    frames = await _context.UpdateLog.GetHistoryAsync(WorkflowId, from, _context.Options.CatchUpPageSize, _context.Stopping);
                    delay = TimeSpan.FromMilliseconds(200);
                }
                catch (UpdateLogUnavailableException ex)
                {
                    GatewayLog.RepairFailed(_context.Logger, WorkflowId, from, delay, ex);
                    lock (_lock)
                    {
                        _resyncRequested |= resync;
                    }

                    await Task.Delay(delay, _context.Time, _context.Stopping);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                    continue;
                }

                lock (_lock)
                {
                    var repaired = 0;
                    foreach (var frame in frames ?? [])
                    {
                        if (frame.Version == _head + 1)
                        {
                            AdvanceLocked(frame);
                            repaired++;
                        }
                    }

                    DrainPendingLocked();
                    LastConfirmed = _context.Time.GetTimestamp();
                    if (repaired > 0)
                    {
                        _context.Metrics.GapRepaired(repaired);
                    }

                    // A full page may mean more to read.
                    if (frames is { } f && f.Count == _context.Options.CatchUpPageSize)
                    {
                        _resyncRequested = true;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_context.Stopping.IsCancellationRequested)
        {
            lock (_lock)
            {
                _repairing = false;
            }
        }
        catch (Exception ex)
        {
            GatewayLog.RepairCrashed(_context.Logger, WorkflowId, ex);
            lock (_lock)
            {
                _repairing = false;
            }
        }
        finally
        {
            if (gateHeld)
            {
                _context.RepairGate.Release();
            }
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

/// <summary>Where a topic is in its life.</summary>
internal enum TopicStatus
{
    /// <summary>Subscribing and reading the baseline.</summary>
    Initializing,

    /// <summary>Forwarding updates.</summary>
    Ready,

    /// <summary>The workflow does not exist.</summary>
    NotFound,

    /// <summary>Redis or the API could not be reached while starting.</summary>
    Unavailable,
}

/// <summary>What every topic shares: dependencies, limits and the process's stopping token.</summary>
internal sealed record TopicContext(
    Broker.IWorkflowBroker Broker,
    IUpdateLog UpdateLog,
    GatewayOptions Options,
    GatewayMetrics Metrics,
    TimeProvider Time,
    SemaphoreSlim RepairGate,
    ILogger Logger,
    CancellationToken Stopping);
