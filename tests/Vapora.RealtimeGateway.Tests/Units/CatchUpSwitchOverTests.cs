using System.Security.Claims;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.Contracts.WebSockets;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.ServiceDefaults.Security;
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
    private readonly TestMetrics _metrics = new();
    private readonly FakeUpdateLog _log = new(Id, latest: Head - Recent);
    private readonly GatewayOptions _options = new()
    {
        WorkflowApiUrl = new Uri("http://127.0.0.1:9"),
        SendQueueCapacity = Capacity,
        RecentUpdatesPerWorkflow = Recent,
        CatchUpPageSize = Capacity,
    };

    private readonly TopicRegistry _topics;
    private readonly ConnectionServices _services;

    public CatchUpSwitchOverTests()
    {
        _topics = new TopicRegistry(new SilentBroker(), _log, Options.Create(_options), _metrics.Metrics, _time, NullLogger<TopicRegistry>.Instance);
        _services = new ConnectionServices(_topics, _log, new WorkflowAccess(new AuthMode(IsOff: true)), _options, _metrics.Metrics, _time, NullLogger.Instance);
    }

    public void Dispose()
    {
        _topics.Dispose();
        _metrics.Dispose();
    }

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

        // The client reads one frame whenever the catch-up has filled its queue: slow, but reading.
        while (transport.SentVersions.Count < Head - 1 && !connection.IsClosing)
        {
            await Poll.UntilAsync(() => connection.QueuedFrames == Capacity || connection.IsClosing
                || transport.SentVersions.Count + connection.QueuedFrames == Head - 1, Deadline, "the catch-up to fill the queue or to end");
            transport.Allow(1);
            await Poll.UntilAsync(() => transport.Written + transport.Waiting >= transport.Allowed || connection.IsClosing, Deadline, "the frame to be written");
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
        private int _allowed;
        private int _waiting;

        public string Name => "gated";

        public int Allowed => Volatile.Read(ref _allowed);

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
            Interlocked.Add(ref _allowed, frames);
            _permits.Release(frames);
        }

        public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _waiting);
            await _permits.WaitAsync(cancellationToken);
            Interlocked.Decrement(ref _waiting);
            lock (_sent)
            {
                _sent.Add(UpdateFrameReader.TryReadVersion(frame.Span, out var version) ? version : -1);
            }
        }

        public Task CloseAsync(CloseReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Abort() => _inbound.TrySetResult();

        public Task InboundAsync(Connection connection) => _inbound.Task;

        public void EndInbound() => _inbound.TrySetResult();
    }
}
