using Vapora.RealtimeGateway.Hub;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// The topic's side of gap repair, called as <see cref="TopicRepair"/> calls it: when a round is due and after which
/// version, what a page of the log does to the head and the held versions, and the reset and rewind a compacted or
/// restored log needs. A gap or a resync still starts the real repair, but its reads wait at a gate the tests never
/// open, so it takes at most one round (which a gap leaves due for the test too) and applies nothing.
/// </summary>
public sealed class TopicRepairRoundTests : IDisposable
{
    private const string Id = "wf_repair_unit";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TimerRecordingTimeProvider _time = new();
    private readonly FakeUpdateLog _log = new(Id, latest: 1) { Gate = new TaskCompletionSource() };
    private readonly TestCore _core;
    private readonly WorkflowTopic _topic;
    private readonly RecordingWatcher _watcher = new(1);

    public TopicRepairRoundTests()
    {
        _core = new TestCore(_log, _time);
        _topic = _core.NewTopic(Id);
        _topic.Start(TestFrames.Snapshot(Id, 1));
        Assert.Equal(AttachResult.Attached, _topic.TryAttachFromMemory(_watcher));
    }

    public void Dispose()
    {
        // Stopped first, so the parked repairs find no round due once their reads go through.
        _topic.Stop(TopicStatus.Stopped);
        _log.Gate!.TrySetResult();
        _core.Dispose();
    }

    [Fact]
    public void Without_a_gap_or_a_resync_no_round_is_due()
    {
        Assert.False(_topic.TryStartRepairRound(out var after));
        Assert.Equal(1, after);
    }

    [Fact]
    public async Task A_resync_asks_for_one_round_after_the_head_and_only_one()
    {
        _topic.OnPublished(TestFrames.Update(Id, 2));

        _topic.RequestResync();

        // The repair the resync started took that round: it reads after the head, and no second round is due.
        await Poll.UntilAsync(() => _log.HistoryReads == 1, Deadline, "the resync's read");
        Assert.False(_topic.TryStartRepairRound(out var after));
        Assert.Equal(2, after);
    }

    [Fact]
    public void A_page_fills_the_gap_in_order_then_the_held_versions_follow()
    {
        _topic.OnPublished(TestFrames.Update(Id, 4));
        _topic.OnPublished(TestFrames.Update(Id, 5));
        Assert.True(_topic.TryStartRepairRound(out var after));
        Assert.Equal(1, after);

        Assert.True(_topic.ApplyRepair([TestFrames.Update(Id, 2), TestFrames.Update(Id, 3)], fullPage: false));

        Assert.Equal([2L, 3, 4, 5], _watcher.Versions);
        Assert.Equal(5, _topic.Head);
        Assert.False(_topic.TryStartRepairRound(out after));
        Assert.Equal(5, after);
        Assert.Equal(2, _core.Metrics.Total("vapora.gateway.gap_repairs"));
    }

    [Fact]
    public void A_page_that_does_not_reach_the_gap_leaves_the_round_due_and_a_full_page_asks_for_another()
    {
        _topic.OnPublished(TestFrames.Update(Id, 5));

        Assert.True(_topic.ApplyRepair([TestFrames.Update(Id, 2), TestFrames.Update(Id, 3)], fullPage: true));

        Assert.Equal([2L, 3], _watcher.Versions);
        Assert.True(_topic.TryStartRepairRound(out var after));
        Assert.Equal(3, after);
        Assert.True(_topic.ApplyRepair([TestFrames.Update(Id, 4)], fullPage: false));
        Assert.Equal([2L, 3, 4, 5], _watcher.Versions);
        Assert.False(_topic.TryStartRepairRound(out _));
    }

    [Fact]
    public void A_full_page_with_nothing_missing_still_asks_for_one_more_round()
    {
        Assert.True(_topic.ApplyRepair([TestFrames.Update(Id, 2)], fullPage: true));

        Assert.True(_topic.TryStartRepairRound(out var after));
        Assert.Equal(2, after);
        Assert.False(_topic.TryStartRepairRound(out _));
    }

    [Fact]
    public void Versions_already_forwarded_or_beyond_the_next_are_not_applied_from_a_page()
    {
        _topic.OnPublished(TestFrames.Update(Id, 2));

        Assert.True(_topic.ApplyRepair([TestFrames.Update(Id, 1), TestFrames.Update(Id, 2), TestFrames.Update(Id, 3), TestFrames.Update(Id, 5)], fullPage: false));

        Assert.Equal([2L, 3], _watcher.Versions);
        Assert.Equal(3, _topic.Head);
        Assert.Equal(1, _core.Metrics.Total("vapora.gateway.gap_repairs"));
    }

    [Fact]
    public void A_page_that_starts_past_the_next_version_means_the_log_was_compacted()
    {
        _topic.OnPublished(TestFrames.Update(Id, 6));

        Assert.False(_topic.ApplyRepair([TestFrames.Update(Id, 4), TestFrames.Update(Id, 5)], fullPage: false));

        Assert.Empty(_watcher.Versions);
        Assert.Equal(1, _topic.Head);
    }

    [Fact]
    public void A_reset_to_a_newer_state_gives_every_watcher_the_state_marked_reset_and_goes_on_from_it()
    {
        _topic.OnPublished(TestFrames.Update(Id, 9));
        _topic.OnPublished(TestFrames.Update(Id, 11));

        Assert.False(_topic.ResetTo(TestFrames.Snapshot(Id, 1)));
        Assert.True(_topic.ResetTo(TestFrames.Snapshot(Id, 8)));

        // The held 9 follows the reset at once; the held 11 once 10 arrives.
        Assert.Equal(9, _topic.Head);
        Assert.Equal(8, Assert.Single(_watcher.Frames, f => f.IsReset).Version);
        Assert.Equal([8L, 9], _watcher.Versions);
        _topic.OnPublished(TestFrames.Update(Id, 10));
        Assert.Equal([8L, 9, 10, 11], _watcher.Versions);
    }

    [Fact]
    public void A_rewind_to_an_older_state_drops_the_held_versions_marks_the_topic_for_a_check_and_goes_on_from_it()
    {
        _topic.OnPublished(TestFrames.Update(Id, 2));
        _topic.OnPublished(TestFrames.Update(Id, 3));
        _topic.OnPublished(TestFrames.Update(Id, 6));
        _topic.ClearDueForCheck();

        Assert.False(_topic.RewindTo(TestFrames.Snapshot(Id, 3)));
        Assert.False(_topic.DueForCheck);
        Assert.True(_topic.RewindTo(TestFrames.Snapshot(Id, 2)));

        Assert.Equal(2, _topic.Head);
        Assert.True(_topic.DueForCheck);
        Assert.Equal(2, Assert.Single(_watcher.Frames, f => f.IsReset).Version);
        _topic.OnPublished(TestFrames.Update(Id, 3));
        Assert.Equal(3, _topic.Head); // 6 was dropped: the head stops at 3
        Assert.Equal([2L, 3, 2, 3], _watcher.Versions);
    }

    [Fact]
    public void A_stopped_topic_takes_nothing_from_the_repair()
    {
        _topic.OnPublished(TestFrames.Update(Id, 2));
        _topic.OnPublished(TestFrames.Update(Id, 3));
        _topic.OnPublished(TestFrames.Update(Id, 6));
        _topic.Stop(TopicStatus.Stopped);

        Assert.False(_topic.TryStartRepairRound(out _));
        Assert.True(_topic.ApplyRepair([TestFrames.Update(Id, 4), TestFrames.Update(Id, 5)], fullPage: false));
        Assert.False(_topic.ResetTo(TestFrames.Snapshot(Id, 9)));
        Assert.False(_topic.RewindTo(TestFrames.Snapshot(Id, 2)));
        Assert.Equal(3, _topic.Head);
        Assert.Equal([2L, 3], _watcher.Versions);
    }

    [Fact]
    public async Task A_repair_that_ended_early_lets_a_later_gap_start_a_new_one()
    {
        _topic.OnPublished(TestFrames.Update(Id, 3));
        await Poll.UntilAsync(() => _log.HistoryReads == 1, Deadline, "the first repair's read");

        _topic.EndRepair();
        _topic.OnPublished(TestFrames.Update(Id, 5));

        await Poll.UntilAsync(() => _log.HistoryReads == 2, Deadline, "a second repair's read");
    }
}
