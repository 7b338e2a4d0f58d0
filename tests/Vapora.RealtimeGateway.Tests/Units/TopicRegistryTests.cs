using Microsoft.Extensions.Logging.Abstractions;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Hub;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The watched workflows' reference counts and grace period, on a fake clock with a broker that counts.</summary>
public sealed class TopicRegistryTests : IDisposable
{
    private const string Id = "wf_registry_grace_unit";
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TimerRecordingTimeProvider _time = new();
    private readonly CountingBroker _broker = new();
    private readonly TestCore _core;
    private readonly TopicRegistry _topics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _reaper;

    public TopicRegistryTests()
    {
        _core = new TestCore(new FakeUpdateLog(Id, latest: 1), _time, new HubOptions { UnsubscribeGracePeriod = Grace });
        _topics = new TopicRegistry(_broker, _core.Log, _core.Context, NullLogger<TopicRegistry>.Instance);
        _reaper = _topics.ReapIdleTopicsAsync(_stopping.Token);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _stopping.Cancel();
        _topics.Dispose();
        _core.Dispose();
        _stopping.Dispose();
    }

    [Fact]
    public async Task A_watcher_that_comes_back_within_the_grace_period_gets_the_same_topic_without_a_new_subscribe()
    {
        var (first, _) = await _topics.JoinAsync(Id, Ct);
        first.Release();
        await Poll.UntilAsync(() => _time.HasTimerDueIn(Grace), Deadline, "the grace period to start");
        _time.Advance(Grace / 2);

        var (again, status) = await _topics.JoinAsync(Id, Ct);
        _time.Advance(Grace);

        Assert.Equal(TopicStatus.Ready, status);
        Assert.Same(first.Topic, again.Topic);
        Assert.Equal(1, _broker.Subscribes);
        Assert.Equal(0, _broker.Unsubscribes);
        Assert.Equal(1, _topics.Count);
        again.Release();
    }

    [Fact]
    public async Task The_last_watcher_gone_for_the_whole_grace_period_removes_the_topic_and_unsubscribes_and_a_new_one_starts_afresh()
    {
        var (a, _) = await _topics.JoinAsync(Id, Ct);
        var (b, _) = await _topics.JoinAsync(Id, Ct);
        a.Release();
        b.Release();
        await Poll.UntilAsync(() => _time.HasTimerDueIn(Grace), Deadline, "the grace period to start");
        _time.Advance(Grace - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _topics.Count);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Poll.UntilAsync(() => _broker.Unsubscribes == 1, Deadline, "the channel to be unsubscribed");

        Assert.Equal(0, _topics.Count);
        var (fresh, status) = await _topics.JoinAsync(Id, Ct);
        Assert.Equal(TopicStatus.Ready, status);
        Assert.NotSame(a.Topic, fresh.Topic);
        Assert.Equal(2, _broker.Subscribes);
        Assert.Equal(AttachResult.Closed, a.Topic!.TryAttachWithState(new RecordingWatcher(), reset: false));
        fresh.Release();
    }

    [Fact]
    public async Task A_workflow_that_does_not_exist_is_let_go_at_once_so_the_next_watcher_asks_again()
    {
        var (lease, status) = await _topics.JoinAsync("wf_missing", Ct);

        Assert.Equal(TopicStatus.NotFound, status);
        Assert.Null(lease.Topic);
        await Poll.UntilAsync(() => _topics.Count == 0 && _broker.Unsubscribes == 1, Deadline, "the failed topic to be removed");
        Assert.Equal(TopicStatus.NotFound, (await _topics.JoinAsync("wf_missing", Ct)).Status);
        Assert.Equal(2, _broker.Subscribes);
    }

    /// <summary>A backplane that confirms at once and counts what it is asked.</summary>
    private sealed class CountingBroker : IWorkflowBroker
    {
        private int _subscribes;
        private int _unsubscribes;

        public int Subscribes => Volatile.Read(ref _subscribes);

        public int Unsubscribes => Volatile.Read(ref _unsubscribes);

        public int SubscribedChannels => Subscribes - Unsubscribes;

        public Task SubscribeAsync(string workflowId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _subscribes);
            return Task.CompletedTask;
        }

        public Task UnsubscribeAsync(string workflowId)
        {
            Interlocked.Increment(ref _unsubscribes);
            return Task.CompletedTask;
        }

        public void RegisterHandler(IBrokerHandler handler)
        {
        }
    }
}
