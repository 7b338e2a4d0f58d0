using Microsoft.AspNetCore.Http;
using System.Security.Claims;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Transport;
using Vapora.ServiceDefaults.Security;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// A connection's lifecycle over a transport that is not a WebSocket (as an event stream would be): the same queue,
/// subscriptions, slow-consumer close and close deadline, on a fake clock.
/// </summary>
public sealed class ConnectionTests : IDisposable
{
    private const string Id = "wf_connection_unit";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly TestMetrics _metrics = new();
    private readonly GatewayOptions _options = new() { WorkflowApiUrl = new Uri("http://127.0.0.1:9"), SendQueueCapacity = 8, CloseTimeout = TimeSpan.FromSeconds(5) };
    private readonly TopicRegistry _topics;
    private readonly ConnectionServices _services;

    public ConnectionTests()
    {
        var log = new FakeUpdateLog(Id, latest: 3);
        var metrics = _metrics.Metrics;
        _topics = new TopicRegistry(new SilentBroker(), log, Options.Create(_options), metrics, _time, NullLogger<TopicRegistry>.Instance);
        _services = new ConnectionServices(_topics, log, new WorkflowAccess(new AuthMode(IsOff: true)), _options, metrics, _time, NullLogger.Instance);
    }

    public void Dispose()
    {
        _topics.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public async Task A_subscription_catches_up_from_the_log_and_its_frames_go_out_through_the_transport_in_order()
    {
        var transport = new FakeTransport();
        using var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        var run = connection.RunAsync(transport.InboundAsync, c => c.Subscriptions.SubscribeAsync(Id, after: 1, enveloped: false, subscribedFrame: null));

        await Poll.UntilAsync(() => transport.Sent.Count == 2, Deadline, "versions 2 and 3");
        Assert.Equal([2L, 3], transport.SentVersions);
        Assert.Equal(1, connection.Subscriptions.Count);

        transport.EndInbound();
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(CloseReason.Normal, transport.ClosedWith);
        Assert.Equal(0, connection.Subscriptions.Count);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_closed_as_a_slow_consumer_and_dropped_when_the_close_does_not_finish()
    {
        var transport = new FakeTransport { Stalled = true };
        using var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        var run = connection.RunAsync(transport.InboundAsync);
        connection.EnqueueLive(new byte[] { 1 }, 0, Id, isProgress: false);
        await Poll.UntilAsync(() => transport.SendsStarted == 1, Deadline, "the writer to be stuck in a send");

        for (var i = 0; i <= _options.SendQueueCapacity; i++)
        {
            connection.EnqueueLive(new byte[] { 1 }, 0, Id, isProgress: false);
        }

        Assert.True(connection.IsClosing);
        Assert.False(transport.Aborted);
        _time.Advance(_options.CloseTimeout);
        Assert.True(transport.Aborted);
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Null(transport.ClosedWith); // never got as far as a clean close: the send was stuck
    }

    [Fact]
    public async Task The_first_close_reason_is_the_one_the_client_gets()
    {
        var transport = new FakeTransport();
        using var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        var run = connection.RunAsync(transport.InboundAsync);

        connection.Close(CloseReason.GoingAway);
        connection.Close(CloseReason.SlowConsumer);

        await Poll.UntilAsync(() => transport.ClosedWith is not null, Deadline, "the close");
        Assert.Equal(CloseReason.GoingAway, transport.ClosedWith);
        transport.EndInbound();
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_close_deadline_that_falls_due_after_the_connection_ended_neither_throws_nor_touches_the_transport()
    {
        var transport = new FakeTransport();
        using var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        var run = connection.RunAsync(transport.InboundAsync);
        connection.Close(CloseReason.GoingAway);
        await Poll.UntilAsync(() => transport.ClosedWith is not null, Deadline, "the close");
        transport.EndInbound();
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        transport.RequestEnded = true;

        // The deadline armed by the close would fire on a timer thread, where an exception ends the process.
        _time.Advance(_options.CloseTimeout * 2);

        Assert.Equal(0, transport.AbortCalls);
    }

    [Fact]
    public async Task A_close_or_an_abort_after_the_connection_ended_arms_nothing_and_leaves_the_transport_alone()
    {
        var transport = new FakeTransport();
        using var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        var run = connection.RunAsync(transport.InboundAsync);
        transport.EndInbound();
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        transport.RequestEnded = true;

        // A topic queueing to the ended connection, a token expiry, a drain: all may still reach it.
        connection.EnqueueLive(new byte[] { 1 }, 0, Id, isProgress: false);
        connection.Close(CloseReason.SlowConsumer);
        connection.Abort();
        _time.Advance(_options.CloseTimeout * 2);

        Assert.Equal(0, transport.AbortCalls);
    }

    [Fact]
    public async Task A_transport_abort_that_throws_at_the_close_deadline_is_contained_and_the_connection_still_ends()
    {
        var transport = new FakeTransport { Stalled = true, AbortFailure = new InvalidOperationException("The transport broke.") };
        using var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        var run = connection.RunAsync(transport.InboundAsync);
        connection.EnqueueLive(new byte[] { 1 }, 0, Id, isProgress: false);
        await Poll.UntilAsync(() => transport.SendsStarted == 1, Deadline, "the writer to be stuck in a send");

        connection.Close(CloseReason.SlowConsumer);
        _time.Advance(_options.CloseTimeout);

        Assert.Equal(1, transport.AbortCalls);
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_event_stream_with_frames_waiting_and_none_written_since_the_last_heartbeat_tick_is_closed_as_a_slow_consumer()
    {
        var body = new GatedBody();
        var (connection, transport, run) = StartEventStream(body);
        using (connection)
        {
            for (var i = 0; i < 3; i++)
            {
                connection.Enqueue("event: test\ndata: 1\n\n"u8.ToArray());
            }

            await Poll.UntilAsync(() => body.WritesStarted == 1, Deadline, "the writer to be stuck in the first write");
            transport.Beat(connection);
            Assert.False(connection.IsClosing); // the first tick only notes how far the writer got
            transport.Beat(connection);
            Assert.True(connection.IsClosing);
            Assert.Equal(1, _metrics.Total("vapora.gateway.slow_consumers.closed"));

            connection.Abort();
            await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task An_event_stream_catching_up_slowly_is_never_closed_by_its_heartbeat_and_an_idle_one_gets_a_comment()
    {
        var body = new GatedBody();
        var (connection, transport, run) = StartEventStream(body);
        using (connection)
        {
            // A catch-up keeps the queue full (it waits for room), and the client writes one frame per tick: slow, but
            // reading. Before, the tick queued its comment as a live frame into the full queue: a slow-consumer close.
            var capacity = _options.SendQueueCapacity;
            var catchUp = Task.Run(async () =>
            {
                for (var i = 0; i < 3 * capacity; i++)
                {
                    await connection.EnqueueAsync("event: test\ndata: 1\n\n"u8.ToArray());
                }
            }, TestContext.Current.CancellationToken);

            for (var tick = 1; tick <= capacity; tick++)
            {
                await Poll.UntilAsync(() => connection.QueuedFrames == capacity, Deadline, "the catch-up to fill the queue");
                transport.Beat(connection);
                Assert.False(connection.IsClosing);
                body.Allow(1);
                await Poll.UntilAsync(() => body.Written == tick, Deadline, "one more frame written");
            }

            // The client keeps up now: the queue empties, and a tick on an empty queue sends a comment.
            body.Allow(1000);
            await catchUp.WaitAsync(Deadline, TestContext.Current.CancellationToken);
            await Poll.UntilAsync(() => connection.QueuedFrames == 0, Deadline, "the catch-up to be written");
            transport.Beat(connection);
            await Poll.UntilAsync(() => body.Text.EndsWith(": keep-alive\n\n", StringComparison.Ordinal), Deadline, "the heartbeat comment");
            Assert.False(connection.IsClosing);
            Assert.Equal(0, _metrics.Total("vapora.gateway.slow_consumers.closed"));

            connection.Abort();
            await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        }
    }

    private (Connection Connection, EventStreamTransport Transport, Task Run) StartEventStream(GatedBody body)
    {
        var http = new DefaultHttpContext();
        http.Response.Body = body;
        var transport = new EventStreamTransport(http, cursor: null);
        var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        return (connection, transport, connection.RunAsync(transport.UntilFinishedAsync));
    }

    /// <summary>A response body whose client reads only when the test allows: each write waits for a permit.</summary>
    private sealed class GatedBody : Stream
    {
        private readonly SemaphoreSlim _permits = new(0);
        private readonly MemoryStream _written = new();
        private int _writesStarted;
        private int _writes;

        public int WritesStarted => Volatile.Read(ref _writesStarted);

        public int Written => Volatile.Read(ref _writes);

        public string Text
        {
            get { lock (_written) { return System.Text.Encoding.UTF8.GetString(_written.ToArray()); } }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Allow(int writes) => _permits.Release(writes);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writesStarted);
            await _permits.WaitAsync(cancellationToken);
            lock (_written)
            {
                _written.Write(buffer.Span);
            }

            Interlocked.Increment(ref _writes);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _permits.Dispose();
                _written.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Records frames and the close; can stall every send like a client that stopped reading.</summary>
    private sealed class FakeTransport : IConnectionTransport
    {
        private readonly TaskCompletionSource _inbound = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<byte[]> _sent = [];
        private int _sendsStarted;
        private int _abortCalls;

        public string Name => "fake";

        public bool Stalled { get; init; }

        public bool Aborted { get; private set; }

        public int AbortCalls => Volatile.Read(ref _abortCalls);

        /// <summary>Set once the request is over: an abort then throws, as <c>HttpContext.Abort</c> does on a finished request.</summary>
        public bool RequestEnded { get; set; }

        /// <summary>Thrown by every abort (after it ended the inbound side), as a transport that breaks would.</summary>
        public Exception? AbortFailure { get; init; }

        public CloseReason? ClosedWith { get; private set; }

        public int SendsStarted => Volatile.Read(ref _sendsStarted);

        public IReadOnlyList<byte[]> Sent
        {
            get { lock (_sent) { return [.. _sent]; } }
        }

        public IReadOnlyList<long> SentVersions =>
            [.. Sent.Select(bytes => Vapora.Contracts.WebSockets.UpdateFrameReader.TryReadVersion(bytes, out var v) ? v : -1)];

        public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sendsStarted);
            if (Stalled)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            lock (_sent)
            {
                _sent.Add(frame.ToArray());
            }
        }

        public Task CloseAsync(CloseReason reason, CancellationToken cancellationToken)
        {
            ClosedWith = reason;
            return Task.CompletedTask;
        }

        public void Abort()
        {
            Interlocked.Increment(ref _abortCalls);
            if (RequestEnded)
            {
                throw new ObjectDisposedException("Microsoft.AspNetCore.Http.Features.IFeatureCollection", "The request is over.");
            }

            Aborted = true;
            _inbound.TrySetResult();
            if (AbortFailure is not null)
            {
                throw AbortFailure;
            }
        }

        /// <summary>What a receive loop would be: ends when the client goes (or the connection is aborted).</summary>
        public Task InboundAsync(Connection connection) => _inbound.Task;

        public void EndInbound() => _inbound.TrySetResult();
    }
}
