using System.Security.Claims;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.Contracts.WebSockets;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// A resume from far back: pages of history fill the send queue (catch-up waits for room), then the topic's recent
/// frames take over. The client reads slowly but keeps reading: it is never closed as slow (issue 23, race 4).
/// </summary>
public sealed class CatchUpSwitchOverTests : IDisposable
{
    private const string Id = "wf_switch_over_unit";
    private const int Capacity = 8;
    private const int Recent = 16;
    private const int Head = 40;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly FakeUpdateLog _log = new(Id, latest: Head - Recent);
    private readonly TestCore _core;
    private readonly TestMetrics _metrics;
    private readonly TopicRegistry _topics;
    private readonly ConnectionServices _services;

    public CatchUpSwitchOverTests()
    {
        _core = new TestCore(_log, _time, new HubOptions { RecentUpdatesPerWorkflow = Recent }, connections: new ConnectionOptions { SendQueueCapacity = Capacity },
            catchUpPageSize: Capacity);
        (_metrics, _topics, _services) = (_core.Metrics, _core.Topics, _core.Services);
    }

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task A_client_still_reading_is_never_closed_as_slow_when_its_catch_up_hands_over_to_the_recent_frames()
    {
        var ct = TestContext.Current.CancellationToken;
        // The topic is live and holds the last 16 versions in memory; everything older comes from the log.
        var (lease, _) = await _topics.JoinAsync(Id, ct);
        for (var version = Head - Recent + 1; version <= Head; version++)
        {
            lease.Topic!.OnPublished(TestFrames.Update(Id, version));
        }

        _log.Latest = Head;
        var transport = new GatedTransport();
        using var connection = new Connection(1, transport, new ClaimsPrincipal(), _services);
        var run = connection.RunAsync(transport.InboundAsync, c => c.Subscriptions.SubscribeAsync(Id, after: 1, enveloped: false, subscribedFrame: null));

        // The client reads one frame whenever the catch-up has filled its queue (or has nothing more to queue): slow, but reading.
        while (transport.Written < Head - 1 && !connection.IsClosing)
        {
            var written = transport.Written;
            await Poll.UntilAsync(() => connection.QueuedFrames == Capacity || connection.IsClosing
                || transport.Written + transport.Waiting + connection.QueuedFrames == Head - 1, Deadline, "the catch-up to fill the queue or to end");
            transport.Allow(1);
            await Poll.UntilAsync(() => transport.Written > written || connection.IsClosing, Deadline, "the frame to be written");
        }

        Assert.False(connection.IsClosing, $"closed after {transport.SentVersions.Count} frames");
        Assert.Equal(Enumerable.Range(2, Head - 1).Select(v => (long)v), transport.SentVersions);
        Assert.Equal(0, _metrics.Total("vapora.gateway.slow_consumers.closed"));

        transport.EndInbound();
        await run.WaitAsync(Deadline, ct);
        lease.Release();
    }

    /// <summary>A transport whose client reads a frame only when the test allows it.</summary>
    private sealed class GatedTransport : IConnectionTransport
    {
        private readonly SemaphoreSlim _permits = new(0);
        private readonly TaskCompletionSource _inbound = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<long> _sent = [];
        private int _waiting;

        public TransportInfo Info { get; } = new("gated", IsBidirectional: true);

        public int Waiting => Volatile.Read(ref _waiting);

        public int Written
        {
            get { lock (_sent) { return _sent.Count; } }
        }

        public IReadOnlyList<long> SentVersions
        {
            get { lock (_sent) { return [.. _sent]; } }
        }

        public void Allow(int frames)
        {
            _permits.Release(frames);
        }

        public async ValueTask SendAsync(OutboundFrame frame, bool flush, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _waiting);
            await _permits.WaitAsync(cancellationToken);
            Interlocked.Decrement(ref _waiting);
            lock (_sent)
            {
                _sent.Add(UpdateFrameReader.TryReadVersion(frame.Bytes.Span, out var version) ? version : -1);
            }
        }

        public Task CloseAsync(CloseReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Abort() => _inbound.TrySetResult();

        public Task InboundAsync(Connection connection) => _inbound.Task;

        public void EndInbound() => _inbound.TrySetResult();
    }
}
