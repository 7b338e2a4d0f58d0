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
internal sealed class Connection : IDisposable
{
    private readonly IConnectionTransport _transport;
    private readonly SendQueue _queue;
    private readonly ConnectionServices _services;
    private readonly CancellationTokenSource _aborted;
    private CancellationTokenSource? _closeDeadline;
    private CloseReason? _closeReason;

    public Connection(long id, IConnectionTransport transport, ClaimsPrincipal user, ConnectionServices services, CancellationToken requestAborted)
    {
        Id = id;
        User = user;
        _transport = transport;
        _services = services;
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _queue = new SendQueue(services.Options.SendQueueCapacity);
        Subscriptions = new SubscriptionSet(this, services);
    }

    public long Id { get; }

    /// <summary>What carries the connection (<see cref="IConnectionTransport.Name"/>).</summary>
    public string TransportName => _transport.Name;

    /// <summary>Who opened the connection (anonymous when authentication is off).</summary>
    public ClaimsPrincipal User { get; }

    /// <summary>The workflows this connection watches.</summary>
    public SubscriptionSet Subscriptions { get; }

    /// <summary>Frames waiting to be written.</summary>
    public int QueuedFrames => _queue.Count;

    /// <summary>Cancelled when the connection is gone.</summary>
    public CancellationToken Aborted => _aborted.Token;

    public bool IsClosing => Volatile.Read(ref _closeReason) is not null;

    /// <summary>
    /// Runs the writer loop, <paramref name="start"/> (such as the initial subscribe) and <paramref name="inbound"/>
    /// (the transport's receive loop) until <paramref name="inbound"/> ends; then finishes the close and lets go of
    /// every workflow.
    /// </summary>
    public async Task RunAsync(Func<Connection, Task> inbound, Func<Connection, Task>? start = null)
    {
        var writer = WriteLoopAsync();
        var started = start is null ? Task.CompletedTask : RunStartAsync(start);
        try
        {
            await inbound(this);
        }
        finally
        {
            // Inbound ends when the client closed or the connection broke: finish the close (the writer sends ours),
            // then stop whatever still runs and let go of every workflow.
            Close(CloseReason.Normal);
            await writer;
            CancelAborted();
            await started;
            Subscriptions.Clear();
        }
    }

    /// <summary>Queues a control frame or a catch-up frame handed over under a topic's lock; never conflated.</summary>
    public void Enqueue(ReadOnlyMemory<byte> frame) => EnqueueLive(frame, 0, null, isProgress: false);

    /// <summary>
    /// Queues a live update. A client falling behind gets conflated progress; a full queue means it is not reading
    /// at all: it is closed as a slow consumer and resumes from its last version.
    /// </summary>
    /// <param name="acceptedAtUnixMs">When the API accepted the update, for the publish-to-send lag (0: not a live update).</param>
    public void EnqueueLive(ReadOnlyMemory<byte> frame, long acceptedAtUnixMs, string? workflowId, bool isProgress)
    {
        var result = _queue.Enqueue(new OutboundFrame(frame, acceptedAtUnixMs), workflowId, isProgress);
        if (result == EnqueueResult.Conflated)
        {
            _services.Metrics.Conflated();
        }
        else if (result == EnqueueResult.Full && !IsClosing)
        {
            _services.Metrics.SlowConsumerClosed();
            GatewayLog.SlowConsumer(_services.Logger, Id, _services.Options.SendQueueCapacity);
            Close(CloseReason.SlowConsumer);
        }
    }

    /// <summary>Queues a catch-up frame, waiting for room: catch-up must not count as falling behind.</summary>
    public ValueTask EnqueueAsync(ReadOnlyMemory<byte> frame) => _queue.EnqueueWaitingAsync(new OutboundFrame(frame, 0), _aborted.Token);

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
        _closeDeadline = new CancellationTokenSource(_services.Options.CloseTimeout, _services.Time);
        _closeDeadline.Token.Register(static state => ((Connection)state!).Abort(), this);
    }

    /// <summary>Drops the connection now: the transport is aborted and every loop ends.</summary>
    public void Abort()
    {
        _transport.Abort();
        CancelAborted();
    }

    public void Dispose()
    {
        _aborted.Dispose();
        _closeDeadline?.Dispose();
    }

    private async Task RunStartAsync(Func<Connection, Task> start)
    {
        await Task.Yield();
        try
        {
            await start(this);
        }
        catch (Exception ex) when (!_aborted.IsCancellationRequested)
        {
            GatewayLog.ConnectionFailed(_services.Logger, Id, ex);
            Close(CloseReason.InternalError);
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
            while (await _queue.WaitToReadAsync(_aborted.Token))
            {
                while (!IsClosing && _queue.TryDequeue(out var frame))
                {
                    await _transport.SendAsync(frame.Bytes, _aborted.Token);
                    _services.Metrics.FrameSent(frame.AcceptedAtUnixMs, _services.Time);
                }

                if (IsClosing)
                {
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
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
