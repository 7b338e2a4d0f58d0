using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Transport.EventStreams;
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
    private readonly ConnectionOptions _options = new() { SendQueueCapacity = 8, CloseTimeout = TimeSpan.FromSeconds(5) };
    private readonly TestCore _core;
    private readonly TestMetrics _metrics;
    private readonly ConnectionServices _services;

    public ConnectionTests()
    {
        _core = new TestCore(new FakeUpdateLog(Id, latest: 3), _time, connections: _options);
        _metrics = _core.Metrics;
        _services = _core.Services;
    }

    public void Dispose() => _core.Dispose();

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

    [Theory]
    [InlineData(64, new[] { 0, 64, 128, 150 })]
    [InlineData(100, new[] { 0, 100, 150 })]
    [InlineData(1, null)]
    public async Task Frames_that_piled_up_go_out_in_batches_of_at_most_WriteBatchFrames_each_ending_with_a_flush(int batchFrames, int[]? flushedAt)
    {
        using var core = new TestCore(new FakeUpdateLog(Id, latest: 3), _time,
            connections: new ConnectionOptions { SendQueueCapacity = 256, WriteBatchFrames = batchFrames });
        using var gate = new SemaphoreSlim(0);
        var transport = new FakeTransport { Gate = gate };
        using var connection = new Connection(1, transport, new ClaimsPrincipal(), core.Services);
        var run = connection.RunAsync(transport.InboundAsync);

        // The first frame finds the queue otherwise empty; 150 more pile up while the client does not read it.
        connection.EnqueueLive(new byte[] { 0 }, 0, Id, isProgress: false);
        await Poll.UntilAsync(() => transport.SendsStarted == 1, Deadline, "the writer to be in its first send");
        for (var i = 1; i <= 150; i++)
        {
            connection.EnqueueLive(new byte[] { (byte)i }, 0, Id, isProgress: false);
        }

        gate.Release(1000);
        await Poll.UntilAsync(() => transport.Sent.Count == 151, Deadline, "every frame sent");
        Assert.Equal(Enumerable.Range(0, 151).Select(i => (byte)i), transport.Sent.Select(frame => frame.Single()));
        var flushes = transport.Flushes.Select((flush, i) => (flush, i)).Where(f => f.flush).Select(f => f.i);
        Assert.Equal(flushedAt ?? Enumerable.Range(0, 151).ToArray(), flushes);

        transport.EndInbound();
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
                connection.EnqueueControl("event: test\ndata: 1\n\n"u8.ToArray());
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
            // A catch-up keeps the queue full (it waits for room), and the client takes one write (a batch of frames)
            // per tick: slow, but reading. Before, the tick queued its comment as a live frame into the full queue: a
            // slow-consumer close.
            var capacity = _options.SendQueueCapacity;
            var caughtUp = false;
            var catchUp = Task.Run(async () =>
            {
                while (!Volatile.Read(ref caughtUp))
                {
                    await connection.EnqueueWaitingAsync("event: test\ndata: 1\n\n"u8.ToArray(), FrameKind.Control);
                }
            }, TestContext.Current.CancellationToken);

            for (var tick = 1; tick <= capacity; tick++)
            {
                // The writer is in its tick-th write (so every frame of that batch is counted) and the queue is full again.
                await Poll.UntilAsync(() => body.WritesStarted == tick, Deadline, "the writer to be in its next write");
                await Poll.UntilAsync(() => connection.QueuedFrames == capacity, Deadline, "the catch-up to fill the queue");
                transport.Beat(connection);
                Assert.False(connection.IsClosing);
                body.Allow(1);
                await Poll.UntilAsync(() => body.Written == tick, Deadline, "one more frame written");
            }

            // The client keeps up now: the queue empties, and a tick on an empty queue sends a comment.
            Volatile.Write(ref caughtUp, true);
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
        var transport = new EventStreamTransport(http, cursor: null, _time, TimeSpan.FromSeconds(15));
        var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        return (connection, transport, connection.RunAsync(transport.UntilFinishedAsync));
    }
}
