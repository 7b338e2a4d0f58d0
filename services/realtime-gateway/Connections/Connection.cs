using System.Net.WebSockets;
using System.Security.Claims;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// One client connection, whatever carries it: its subscriptions, its bounded send queue and the writer loop that
/// drains it through the transport, and its lifecycle (close with a <see cref="CloseReason"/>, close deadline, abort).
/// A failure here closes this connection only; nothing it does can block a fan-out, because topics only ever queue
/// bytes for it.
/// </summary>
/// <remarks>
/// Thousands of these sit idle for hours, so an idle one holds as little as it can (docs/benchmarks.md, memory): its
/// abort source is its own (not linked to the request's token: the transport's inbound loop sees a gone client and
/// aborts), its writer waits on the queue without a cancellation registration (an abort cancels the wait directly),
/// and its start task is let go once it ends.
/// <para>
/// The request under a connection is over once <see cref="RunAsync"/> returns, but timers (the close deadline, a token
/// expiry, a heartbeat) and topics may still reach it after that. So the end is a state: once ended, no close deadline
/// is armed, the one armed is disposed, and <see cref="Abort"/> leaves the transport alone (aborting a finished
/// request throws, and on a timer thread an exception ends the process).
/// </para>
/// </remarks>
internal sealed class Connection : IDisposable
{
    private readonly IConnectionTransport _transport;
    private readonly SendQueue _queue;
    private readonly ConnectionServices _services;
    /// <summary>Stands in for the close deadline once the connection ended: nothing can be armed after it.</summary>
    private static readonly ITimer Ended = TimeProvider.System.CreateTimer(static _ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private readonly CancellationTokenSource _aborted = new();
    private ITimer? _closeDeadline;
    private CloseReason? _closeReason;
    private Task? _start;
    private volatile bool _startDone;

    public Connection(long id, IConnectionTransport transport, ClaimsPrincipal user, ConnectionServices services)
    {
        Id = id;
        Grant = new ConnectionGrant(this, user, services);
        _transport = transport;
        _services = services;
        _queue = new SendQueue(services.Options.SendQueueCapacity);
        Subscriptions = new SubscriptionSet(this, services);
    }

    public long Id { get; }

    /// <summary>What carries the connection (<see cref="IConnectionTransport.Info"/>).</summary>
    public string TransportName => _transport.Info.Name;

    /// <summary>Who the connection acts for: its current token's user (anonymous when authentication is off).</summary>
    public ClaimsPrincipal User => Grant.User;

    /// <summary>The connection's token: its user, its expiry, an in-band refresh.</summary>
    public ConnectionGrant Grant { get; }

    /// <summary>The workflows this connection watches.</summary>
    public SubscriptionSet Subscriptions { get; }

    /// <summary>Frames waiting to be written.</summary>
    public int QueuedFrames => _queue.Count;

    /// <summary>Cancelled when the connection is gone.</summary>
    public CancellationToken Aborted => _aborted.Token;

    public bool IsClosing => Volatile.Read(ref _closeReason) is not null;

    /// <summary>
    /// Runs the writer loop, <paramref name="start"/> (such as the initial subscribe) and <paramref name="inbound"/>
    /// (the transport's receive loop) until <paramref name="inbound"/> ends; then finishes the close, lets go of
    /// every workflow and calls <paramref name="ended"/>.
    /// </summary>
    public async Task RunAsync(Func<Connection, Task> inbound, Func<Connection, Task>? start = null, Action<Connection>? ended = null)
    {
        var writer = WriteLoopAsync();
        if (start is not null)
        {
            // Whichever comes second (this store or the start's end) lets go of the finished task.
            _ = Interlocked.Exchange(ref _start, RunStartAsync(start));
            if (_startDone)
            {
                Volatile.Write(ref _start, null);
            }

            // Parameters live in this method's state machine as long as the connection: let go of the delegates
            // (and their closures) once they are started, so an idle connection holds neither.
            start = null;
        }

        try
        {
            var receiving = inbound(this);
            inbound = null!;
            await receiving;
        }
        finally
        {
            try
            {
                // Inbound ends when the client closed or the connection broke: finish the close (the writer sends
                // ours), then stop whatever still runs and let go of every workflow.
                Close(CloseReason.Normal);
                await writer;
                CancelAborted();
                if (Volatile.Read(ref _start) is { } starting)
                {
                    await starting;
                }

                Subscriptions.Clear();
                ended?.Invoke(this);
            }
            finally
            {
                End();
            }
        }
    }

    /// <summary>Queues a frame of the endpoint's protocol (pong, error, an event stream's preamble); never conflated.</summary>
    public void EnqueueControl(ReadOnlyMemory<byte> frame) => Enqueue(new OutboundFrame(frame, FrameKind.Control), null, isProgress: false);

    /// <summary>Queues a keep-alive (an event stream's heartbeat) unless frames are already waiting to be written.</summary>
    public bool EnqueueKeepAlive(ReadOnlyMemory<byte> frame) => _queue.EnqueueIfEmpty(new OutboundFrame(frame, FrameKind.KeepAlive));

    /// <summary>
    /// Queues a live update. A client falling behind gets conflated progress; a full queue means it is not reading
    /// at all: it is closed as a slow consumer and resumes from its last version.
    /// </summary>
    /// <param name="acceptedAtUnixMs">When the API accepted the update, for the publish-to-send lag (0: not a live update).</param>
    public void EnqueueLive(ReadOnlyMemory<byte> frame, long acceptedAtUnixMs, string? workflowId, bool isProgress) =>
        Enqueue(new OutboundFrame(frame, FrameKind.Update, acceptedAtUnixMs), workflowId, isProgress);

    /// <summary>Room for a topic's hand-over while attaching (under its lock, where nothing may wait): all of it or none.</summary>
    public bool TryReserve(int frames) => _queue.TryReserve(frames);

    /// <summary>Queues a hand-over frame into the room <see cref="TryReserve"/> took.</summary>
    public void EnqueueReserved(ReadOnlyMemory<byte> frame) => _queue.EnqueueReserved(new OutboundFrame(frame, FrameKind.Update));

    /// <summary>
    /// Queues a catch-up or control frame, waiting for room: catch-up must not count as falling behind. Only a client that
    /// wrote nothing for <see cref="ConnectionOptions.KeepAliveInterval"/> meanwhile is closed as a slow consumer.
    /// </summary>
    /// <exception cref="OperationCanceledException">The connection is closing (also: it was just closed as stalled).</exception>
    public async ValueTask EnqueueWaitingAsync(ReadOnlyMemory<byte> frame, FrameKind kind)
    {
        if (!await _queue.EnqueueWaitingAsync(new OutboundFrame(frame, kind), _services.Options.KeepAliveInterval, _services.Time, _aborted.Token))
        {
            CloseAsStalled();
        }
    }

    /// <summary>Waits until one more frame fits (a hand-over that found no room tries again then), as patiently as <see cref="EnqueueWaitingAsync"/>.</summary>
    /// <exception cref="OperationCanceledException">The connection is closing (also: it was just closed as stalled).</exception>
    public async ValueTask WaitForRoomAsync()
    {
        if (!await _queue.WaitForRoomAsync(1, _services.Options.KeepAliveInterval, _services.Time, _aborted.Token))
        {
            CloseAsStalled();
        }
    }

    /// <summary>The client stopped reading: it is closed (counted and logged) and resumes from its last version.</summary>
    public void CloseAsSlowConsumer()
    {
        if (IsClosing) return;
        _services.Metrics.SlowConsumerClosed();
        GatewayLog.SlowConsumer(_services.Logger, Id, _services.Options.SendQueueCapacity);
        Close(CloseReason.SlowConsumer);
    }

    /// <summary>Something failed while serving this connection (a bug): it is closed with 1011 and its client resumes.</summary>
    public void Fail(Exception exception)
    {
        GatewayLog.ConnectionFailed(_services.Logger, Id, exception);
        Close(CloseReason.InternalError);
    }

    /// <summary>
    /// Starts closing with <paramref name="reason"/> (the first reason wins); frames still queued are dropped. The
    /// connection is aborted if the close does not finish (client answer, stuck send) within the close timeout.
    /// </summary>
    public void Close(CloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        _queue.Complete();
        // Armed only after it is stored, so an end that comes in between (a close from a topic racing the
        // connection's end) disposes it, or finds it ended and drops it here.
        var deadline = _services.Time.CreateTimer(static state => ((Connection)state!).OnCloseDeadline(), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _closeDeadline, deadline, null) is not null)
        {
            deadline.Dispose();
            return;
        }

        deadline.Change(_services.Options.CloseTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Drops the connection now: the transport is aborted and every loop ends. Once the connection has ended, only the
    /// loops' signal is set: the request underneath is over and its transport must not be touched.
    /// </summary>
    public void Abort()
    {
        if (!HasEnded)
        {
            try
            {
                _transport.Abort();
            }
            catch (Exception ex)
            {
                // Transports must not throw here; one that does still gets its loops ended below.
                GatewayLog.AbortFailed(_services.Logger, Id, ex);
            }
        }

        CancelAborted();
    }

    public void Dispose()
    {
        End();
        Grant.Dispose();
        _aborted.Dispose();
    }

    private void Enqueue(in OutboundFrame frame, string? workflowId, bool isProgress)
    {
        var result = _queue.Enqueue(frame, workflowId, isProgress);
        if (result == EnqueueResult.Conflated)
        {
            _services.Metrics.Conflated();
        }
        else if (result == EnqueueResult.Full)
        {
            CloseAsSlowConsumer();
        }
    }

    private void CloseAsStalled()
    {
        CloseAsSlowConsumer();
        throw new OperationCanceledException("The client wrote nothing while its catch-up waited: closed as a slow consumer.");
    }

    private bool HasEnded => ReferenceEquals(Volatile.Read(ref _closeDeadline), Ended);

    /// <summary>The request is about to end: no deadline from now on, and the armed one (if any) is disposed.</summary>
    private void End()
    {
        if (Interlocked.Exchange(ref _closeDeadline, Ended) is { } deadline && !ReferenceEquals(deadline, Ended))
        {
            deadline.Dispose();
        }
    }

    /// <summary>On a timer thread, where an exception would end the process: whatever happens is logged, never thrown.</summary>
    private void OnCloseDeadline()
    {
        try
        {
            Abort();
        }
        catch (Exception ex)
        {
            // Such as a callback on the abort token that threw.
            GatewayLog.AbortFailed(_services.Logger, Id, ex);
        }
    }

    private async Task RunStartAsync(Func<Connection, Task> start)
    {
        await Task.Yield();
        try
        {
            await start(this);
            // Done: nothing needs to wait for it any more, so the connection does not keep its task for hours.
            _startDone = true;
            _ = Interlocked.Exchange(ref _start, null);
        }
        catch (OperationCanceledException) when (IsClosing)
        {
            // Closed while starting (a catch-up waiting for room, a drain): nothing failed.
        }
        catch (Exception ex) when (!_aborted.IsCancellationRequested)
        {
            Fail(ex);
        }
        catch (Exception)
        {
            // The connection is gone; nothing to report to it.
        }
    }

    private async Task WriteLoopAsync()
    {
        await Task.Yield();
        try
        {
            // No token: CancelAborted ends this wait, so an idle connection holds no cancellation registration.
            var batchFrames = _services.Options.WriteBatchFrames;
            while (await _queue.WaitToReadAsync(CancellationToken.None))
            {
                // Frames that are already queued go out together: the transport flushes (one socket write) at a batch's
                // last frame, the one with nothing queued behind it or the WriteBatchFrames-th. That is what lets the cost
                // per frame fall under load; a client that keeps up has one frame at a time and gets each at once.
                for (var written = 1; !IsClosing && _queue.TryDequeue(out var frame, out var more); written++)
                {
                    var flush = !more || written == batchFrames;
                    await _transport.SendAsync(frame, flush, _aborted.Token);
                    _services.Metrics.FrameSent(frame.AcceptedAtUnixMs, _services.Time);
                    if (flush)
                    {
                        _services.Metrics.FramesFlushed();
                        written = 0;
                    }
                }

                if (IsClosing)
                {
                    // A batch cut short by the close goes out with the close (CloseAsync sends what is held).
                    break;
                }
            }

            await _transport.CloseAsync(Volatile.Read(ref _closeReason) ?? CloseReason.Normal, _aborted.Token);
        }
        catch (Exception ex) when (IsPeerGone(ex))
        {
            // Broken connection: inbound sees it too and ends the connection.
            Abort();
        }
    }

    /// <summary>The ways a send or receive ends when the client went away or the connection was aborted.</summary>
    internal static bool IsPeerGone(Exception ex) =>
        ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException;

    private void CancelAborted()
    {
        _queue.CancelReader();
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
