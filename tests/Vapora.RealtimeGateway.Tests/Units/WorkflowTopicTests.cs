using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>One workflow's ordering and fan-out, in process, on a fake clock (no Redis, no API process).</summary>
public sealed class WorkflowTopicTests : IDisposable
{
    private const string Id = "wf_topic_unit";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TimerRecordingTimeProvider _time = new();
    private readonly FakeUpdateLog _log = new(Id, latest: 1);
    private TestCore? _core;

    public void Dispose() => _core?.Dispose();

    [Fact]
    public void Versions_that_arrive_out_of_order_reach_every_watcher_in_order_and_once()
    {
        _log.FailingReads = int.MaxValue; // the log cannot help: only the backplane's own messages fill the hole
        var topic = StartedTopic();
        var (a, b) = (new RecordingWatcher(1), new RecordingWatcher(1));
        Assert.Equal(AttachResult.Attached, topic.TryAttachFromMemory(a));
        Assert.Equal(AttachResult.Attached, topic.TryAttachFromMemory(b));

        foreach (var version in new[] { 2, 2, 4, 5, 3, 4, 6 })
        {
            topic.OnPublished(TestFrames.Update(Id, version));
        }

        Assert.Equal([2L, 3, 4, 5, 6], a.Versions);
        Assert.Equal([2L, 3, 4, 5, 6], b.Versions);
        Assert.All(a.Delivered, d => Assert.True(d.Live));
        Assert.Equal(6, topic.Head);
    }

    [Fact]
    public async Task A_gap_is_read_from_the_log_retrying_with_exponential_backoff_while_the_api_is_down()
    {
        var topic = StartedTopic();
        var watcher = new RecordingWatcher(1);
        topic.TryAttachFromMemory(watcher);
        _log.Latest = 3;
        _log.FailingReads = 2;

        topic.OnPublished(TestFrames.Update(Id, 3));

        await Poll.UntilAsync(() => _log.HistoryReads == 1, Deadline, "the first read after the gap");
        await Poll.UntilAsync(() => _time.HasTimerDueIn(TimeSpan.FromMilliseconds(200)), Deadline, "the retry to wait 200 ms");
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await Poll.UntilAsync(() => _log.HistoryReads == 2, Deadline, "a second read 200 ms later");
        await Poll.UntilAsync(() => _time.HasTimerDueIn(TimeSpan.FromMilliseconds(400)), Deadline, "the next retry to wait 400 ms");
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, _log.HistoryReads); // the next wait is 400 ms
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await Poll.UntilAsync(() => watcher.Versions.Count == 2, Deadline, "the gap to be filled");
        Assert.Equal([2L, 3], watcher.Versions);
        Assert.Equal(3, _log.HistoryReads);
    }

    [Fact]
    public void A_watcher_a_little_behind_gets_the_recent_versions_from_memory_then_live_ones()
    {
        var topic = StartedTopic();
        for (var version = 2; version <= 4; version++)
        {
            topic.OnPublished(TestFrames.Update(Id, version));
        }

        var watcher = new RecordingWatcher(1);
        Assert.Equal(AttachResult.Attached, topic.TryAttachFromMemory(watcher));
        topic.OnPublished(TestFrames.Update(Id, 5));

        Assert.Equal([(2L, false), (3L, false), (4L, false), (5L, true)], watcher.Delivered);
        Assert.Equal(0, _log.HistoryReads);
    }

    [Fact]
    public void A_watcher_further_behind_than_memory_is_refused_so_that_it_reads_the_history_first()
    {
        var topic = StartedTopic(recentUpdates: 2);
        for (var version = 2; version <= 5; version++)
        {
            topic.OnPublished(TestFrames.Update(Id, version));
        }

        Assert.Equal(AttachResult.NotInMemory, topic.TryAttachFromMemory(new RecordingWatcher(2)));
        var watcher = new RecordingWatcher(3);
        Assert.Equal(AttachResult.Attached, topic.TryAttachFromMemory(watcher));
        Assert.Equal([4L, 5], watcher.Versions);
    }

    [Fact]
    public void A_watcher_without_a_version_gets_the_current_state_first()
    {
        var topic = StartedTopic();
        topic.OnPublished(TestFrames.Update(Id, 2));
        var watcher = new RecordingWatcher();

        Assert.Equal(AttachResult.Attached, topic.TryAttachWithState(watcher, reset: false));
        topic.OnPublished(TestFrames.Update(Id, 3));

        Assert.Equal([(2L, false), (3L, true)], watcher.Delivered);
    }

    [Fact]
    public void Only_a_version_that_changes_the_status_is_marked_so_progress_alone_may_be_conflated()
    {
        var topic = StartedTopic();
        var progress = TestFrames.Update(Id, 2, "running", step: 1);
        var completed = TestFrames.Update(Id, 3, "completed", step: 10);

        topic.OnPublished(progress);
        topic.OnPublished(completed);

        Assert.False(progress.StatusChanged);
        Assert.True(completed.StatusChanged);
    }

    [Fact]
    public void Messages_that_arrive_while_the_topic_starts_are_held_and_forwarded_after_the_baseline()
    {
        var topic = NewTopic();
        topic.OnPublished(TestFrames.Update(Id, 3));
        topic.OnPublished(TestFrames.Update(Id, 2));

        topic.Start(TestFrames.Snapshot(Id, 1));
        var watcher = new RecordingWatcher(1);
        topic.TryAttachFromMemory(watcher);

        Assert.Equal(3, topic.Head);
        Assert.Equal([2L, 3], watcher.Versions);
    }

    [Fact]
    public void A_detached_watcher_gets_nothing_more()
    {
        var topic = StartedTopic();
        var (stays, leaves) = (new RecordingWatcher(1), new RecordingWatcher(1));
        topic.TryAttachFromMemory(stays);
        topic.TryAttachFromMemory(leaves);

        topic.OnPublished(TestFrames.Update(Id, 2));
        topic.Detach(leaves);
        topic.OnPublished(TestFrames.Update(Id, 3));

        Assert.Equal([2L, 3], stays.Versions);
        Assert.Equal([2L], leaves.Versions);
        Assert.Equal(1, topic.WatcherCount);
    }

    [Fact]
    public void A_watcher_that_throws_is_contained_and_every_other_watcher_still_gets_that_version_and_the_next()
    {
        var topic = StartedTopic();
        var (first, last) = (new RecordingWatcher(1), new RecordingWatcher(1));
        var failing = new ThrowingWatcher();
        topic.TryAttachFromMemory(first);
        topic.TryAttachFromMemory(failing);
        topic.TryAttachFromMemory(last);

        foreach (var version in new[] { 2, 3 })
        {
            try
            {
                topic.OnPublished(TestFrames.Update(Id, version));
            }
            catch (InvalidOperationException)
            {
                // What the broker does with a message whose handling throws: logs it and drops it.
            }
        }

        Assert.Equal([2L, 3], first.Versions);
        Assert.Equal([2L, 3], last.Versions);
        Assert.Equal(1, failing.Failures);
        Assert.Equal(2, topic.WatcherCount);
    }

    private WorkflowTopic StartedTopic(int recentUpdates = 128)
    {
        var topic = NewTopic(recentUpdates);
        topic.Start(TestFrames.Snapshot(Id, 1));
        return topic;
    }

    private WorkflowTopic NewTopic(int recentUpdates = 128)
    {
        _core ??= new TestCore(_log, _time, new HubOptions { RecentUpdatesPerWorkflow = recentUpdates });
        return _core.NewTopic(Id);
    }

    private sealed class ThrowingWatcher : IWorkflowWatcher
    {
        public int Failures { get; private set; }

        public long Position => 1;

        public bool TryReserve(int frames) => true;

        public void HandOver(UpdateFrame frame)
        {
        }

        public void Deliver(UpdateFrame frame) => throw new InvalidOperationException("A watcher with a bug.");

        public void Fail(Exception exception) => Failures++;
    }
}
