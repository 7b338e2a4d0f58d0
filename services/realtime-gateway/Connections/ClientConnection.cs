using System.Buffers;
using System.Net.WebSockets;
using Vapora.Contracts;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// One client WebSocket: a reader loop for inbound frames, a writer loop draining a bounded send queue,
/// and the workflows it watches. A failure here closes this connection only; nothing it does can block a
/// fan-out, because topics only ever queue bytes for it.
/// </summary>
internal sealed class ClientConnection : IDisposable
{
    private readonly WebSocket _socket;
    private readonly SendQueue _queue;
    private readonly ConnectionServices _services;
    private readonly Dictionary<string, WorkflowSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _aborted;
    private CancellationTokenSource? _closeDeadline;
    private int _closeRequested;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = string.Empty;

    public ClientConnection(long id, WebSocket socket, System.Security.Claims.ClaimsPrincipal user, ConnectionServices services, CancellationToken requestAborted)
    {
        Id = id;
        User = user;
        _socket = socket;
        _services = services;
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _queue = new SendQueue(services.Options.SendQueueCapacity);
    }

    public long Id { get; }

    /// <summary>Who opened the socket (anonymous when authentication is off).</summary>
    public System.Security.Claims.ClaimsPrincipal User { get; }

    /// <summary>Frames waiting to be written.</summary>
    public int QueuedFrames => _queue.Count;

    public int SubscriptionCount
    {
        get { lock (_subscriptions) { return _subscriptions.Count; } }
    }

    /// <summary>Cancelled when the socket is gone.</summary>
    public CancellationToken Aborted => _aborted.Token;

    public bool IsClosing => Volatile.Read(ref _closeRequested) != 0;

    /// <summary>
    /// Runs both loops (and <paramref name="start"/>, such as the initial subscribe, beside them) until the socket
    /// is closed, then lets go of every workflow it watched.
    /// </summary>
    public async Task RunAsync(Func<ClientConnection, ReadOnlyMemory<byte>, Task> onMessage, Func<ClientConnection, Task>? start = null)
    {
        var writer = WriteLoopAsync();
        var started = start is null ? Task.CompletedTask : RunStartAsync(start);
        try
        {
            await ReadLoopAsync(onMessage);
        }
        finally
        {
            // The reader ends when the client's close frame came or the socket broke: finish the handshake
            // (the writer sends our close frame), then stop whatever still runs and let go of every workflow.
            Close(WebSocketCloseStatus.NormalClosure, string.Empty);
            await writer;
            CancelAborted();
            await started;
            UnsubscribeAll();
        }
    }

    private async Task RunStartAsync(Func<ClientConnection, Task> start)
    {
        await Task.Yield();
        try
        {
            await start(this);
        }
        catch (Exception ex) when (!_aborted.IsCancellationRequested)
        {
            GatewayLog.ConnectionFailed(_services.Logger, Id, ex);
            Close(WebSocketCloseStatus.InternalServerError, "internal error: resume");
        }
        catch (Exception)
        {
            // The socket is gone; nothing to report to it.
        }
    }

    /// <summary>Queues a control frame or a frame handed over under a topic's lock; never conflated.</summary>
    public void Enqueue(ReadOnlyMemory<byte> frame) => EnqueueLive(frame, 0, null, isProgress: false);

    /// <summary>
    /// Queues a live update. A client falling behind gets conflated progress; a full queue means it is not reading
    /// at all: it is closed with 4000 and resumes from its last version.
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
            Close((WebSocketCloseStatus)WorkflowCloseCodes.SlowConsumer, "slow consumer: resume from your last version");
        }
    }

    /// <summary>Queues a catch-up frame, waiting for room: catch-up must not count as falling behind.</summary>
    public ValueTask EnqueueAsync(ReadOnlyMemory<byte> frame) => _queue.EnqueueWaitingAsync(new OutboundFrame(frame, 0), _aborted.Token);

    /// <summary>
    /// Starts the close handshake with <paramref name="status"/>; frames still queued are dropped. The socket is
    /// aborted if the client does not answer (or a send stays stuck) within the close timeout.
    /// </summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _closeStatus = status;
        _closeReason = reason;
        _queue.Complete();
        _closeDeadline = new CancellationTokenSource(_services.Options.CloseTimeout, _services.Time);
        _closeDeadline.Token.Register(static state => ((ClientConnection)state!).AbortSocket(), this);
    }

    /// <summary>Joins a workflow and catches up from <paramref name="after"/> (null: the current state first), then goes live.</summary>
    /// <param name="subscribedFrame">Sent once the workflow is known to exist, before any update (the /ws protocol).</param>
    public async Task<SubscribeResult> SubscribeAsync(string workflowId, long? after, bool enveloped, ReadOnlyMemory<byte>? subscribedFrame)
    {
        if (!_services.Access.CanRead(User, workflowId))
        {
            _services.Metrics.InboundRejected("forbidden");
            return SubscribeResult.Forbidden;
        }

        var subscription = new WorkflowSubscription(this, workflowId, enveloped);
        lock (_subscriptions)
        {
            if (_subscriptions.ContainsKey(workflowId))
            {
                return SubscribeResult.AlreadySubscribed;
            }

            if (_subscriptions.Count >= _services.Options.MaxSubscriptionsPerConnection)
            {
                return SubscribeResult.TooManySubscriptions;
            }

            _subscriptions[workflowId] = subscription;
        }

        var attached = false;
        try
        {
            var (topic, status) = await _services.Hub.JoinAsync(workflowId, _aborted.Token);
            if (topic is null)
            {
                return status == TopicStatus.NotFound ? SubscribeResult.NotFound : SubscribeResult.Unavailable;
            }

            subscription.Topic = topic;
            if (after is { } requested && requested > topic.Head)
            {
                // Beyond this gateway's head: fine if this gateway lags, an error if the workflow has no such version.
                var latest = await _services.UpdateLog.GetStateAsync(workflowId, _aborted.Token);
                if (latest is null)
                {
                    return SubscribeResult.NotFound;
                }

                if (requested > latest.Version)
                {
                    return SubscribeResult.AfterBeyondLatest;
                }
            }

            if (subscribedFrame is { } subscribed)
            {
                await EnqueueAsync(subscribed);
            }

            if (after is not null)
            {
                _services.Metrics.Resumed();
            }

            attached = await CatchUpAndAttachAsync(subscription, topic, after);
            return attached ? SubscribeResult.Subscribed : SubscribeResult.Unavailable;
        }
        catch (UpdateLogUnavailableException ex)
        {
            GatewayLog.CatchUpFailed(_services.Logger, Id, workflowId, ex);
            return SubscribeResult.Unavailable;
        }
        catch (OperationCanceledException)
        {
            // The connection closed while subscribing.
            return SubscribeResult.Unavailable;
        }
        finally
        {
            if (!attached)
            {
                Forget(subscription);
            }
        }
    }

    /// <summary>Stops watching a workflow; false if it was not watched.</summary>
    public bool Unsubscribe(string workflowId)
    {
        WorkflowSubscription? subscription;
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(workflowId, out subscription) || subscription.Topic is null)
            {
                return false;
            }
        }

        Forget(subscription);
        return true;
    }

    public void Dispose()
    {
        _aborted.Dispose();
        _closeDeadline?.Dispose();
    }

    /// <summary>
    /// Older versions come from the API, a page at a time, until the topic's recent frames cover the rest;
    /// the hand-over to live delivery happens under the topic's lock, so no version falls between the two.
    /// </summary>
    private async Task<bool> CatchUpAndAttachAsync(WorkflowSubscription subscription, WorkflowTopic topic, long? after)
    {
        var position = after;
        var emptyReads = 0;
        while (!topic.TryAttach(subscription, position, frame => Enqueue(subscription.BytesOf(frame)), p => subscription.Position = p))
        {
            var from = position!.Value;
            var frames = await _services.UpdateLog.GetHistoryAsync(subscription.WorkflowId, from, _services.Options.CatchUpPageSize, _aborted.Token);
            if (frames is null)
            {
                return false;
            }

            foreach (var frame in frames)
            {
                if (frame.Version == position + 1)
                {
                    await EnqueueAsync(subscription.BytesOf(frame));
                    position = frame.Version;
                }
            }

            // The topic has versions the log did not return: only possible while the API is behind its own
            // writes (it is not, store comes before publish); give it a moment, then give up with "resume".
            emptyReads = frames.Count == 0 ? emptyReads + 1 : 0;
            if (emptyReads > 5)
            {
                return false;
            }

            if (emptyReads > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * emptyReads), _services.Time, _aborted.Token);
            }
        }

        return true;
    }

    private void Forget(WorkflowSubscription subscription)
    {
        lock (_subscriptions)
        {
            if (_subscriptions.TryGetValue(subscription.WorkflowId, out var current) && ReferenceEquals(current, subscription))
            {
                _subscriptions.Remove(subscription.WorkflowId);
            }
        }

        if (subscription.Topic is { } topic)
        {
            topic.Detach(subscription);
            _services.Hub.Release(topic);
            subscription.Topic = null;
        }
    }

    private void UnsubscribeAll()
    {
        WorkflowSubscription[] all;
        lock (_subscriptions)
        {
            all = [.. _subscriptions.Values];
        }

        foreach (var subscription in all)
        {
            Forget(subscription);
        }
    }

    private async Task ReadLoopAsync(Func<ClientConnection, ReadOnlyMemory<byte>, Task> onMessage)
    {
        var max = _services.Options.MaxInboundMessageBytes;
        // Between messages the socket holds no buffer: a zero-byte read waits for the next frame's header (pings
        // are answered inside it), and a buffer is rented only once a message arrives. Idle sockets are most sockets.
        byte[]? buffer = null;
        var length = 0;
        var discarding = false;
        try
        {
            while (true)
            {
                if (buffer is not null && length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await _socket.ReceiveAsync(buffer is null ? Memory<byte>.Empty : buffer.AsMemory(length), _aborted.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, string.Empty);
                    return;
                }

                if (discarding || IsClosing)
                {
                    // Closing: read (and ignore) until the client's close frame arrives; a zero-byte read would not consume.
                    buffer ??= ArrayPool<byte>.Shared.Rent(1024);
                    length = 0;
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    _services.Metrics.InboundRejected("binary");
                    Close(WebSocketCloseStatus.InvalidMessageType, "binary frames are not accepted; send JSON text frames");
                    discarding = true;
                    continue;
                }

                length += result.Count;
                if (length > max)
                {
                    _services.Metrics.InboundRejected("too_big");
                    Close(WebSocketCloseStatus.MessageTooBig, $"message larger than {max} bytes");
                    discarding = true;
                    continue;
                }

                if (result.EndOfMessage)
                {
                    await onMessage(this, buffer is null ? ReadOnlyMemory<byte>.Empty : buffer.AsMemory(0, length));
                    length = 0;
                    Release(ref buffer);
                }
                else
                {
                    buffer ??= ArrayPool<byte>.Shared.Rent(1024);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client went away (or the close deadline aborted it): nothing to answer, stop the writer at once.
            AbortSocket();
        }
        finally
        {
            Release(ref buffer);
        }

        static void Release(ref byte[]? rented)
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
                rented = null;
            }
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
                    await _socket.SendAsync(frame.Bytes, WebSocketMessageType.Text, endOfMessage: true, _aborted.Token);
                    _services.Metrics.FrameSent(frame.AcceptedAtUnixMs, _services.Time);
                }

                if (IsClosing)
                {
                    break;
                }
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, _aborted.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Broken socket: the reader sees it too and ends the connection.
            AbortSocket();
        }
    }

    private void AbortSocket()
    {
        try
        {
            _socket.Abort();
        }
        catch (ObjectDisposedException)
        {
        }

        CancelAborted();
    }

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

/// <summary>A queued frame: the bytes, and when the API accepted the update (0 for catch-up and control frames).</summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, long AcceptedAtUnixMs);

/// <summary>How a subscribe ended.</summary>
internal enum SubscribeResult
{
    Subscribed,
    NotFound,
    Forbidden,
    Unavailable,
    AlreadySubscribed,
    TooManySubscriptions,
    AfterBeyondLatest,
}

/// <summary>What every connection uses.</summary>
internal sealed record ConnectionServices(
    WorkflowHub Hub,
    IUpdateLog UpdateLog,
    Vapora.ServiceDefaults.Security.WorkflowAccess Access,
    GatewayOptions Options,
    GatewayMetrics Metrics,
    TimeProvider Time,
    ILogger Logger);
