using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The last versions a topic keeps in memory: a contiguous window, extended backwards by history reads, its bytes in the process's log.</summary>
public sealed class RecentFramesTests
{
    private const string Id = "wf_recent_unit";

    /// <summary>The shipped way (bytes in a log with room to spare) and the old one (<c>RecentFramesMaxBytes=0</c>: objects).</summary>
    public static TheoryData<long> Budgets => [64 * 1024, 0];

    [Theory]
    [MemberData(nameof(Budgets))]
    public void The_window_keeps_the_last_versions_up_to_its_capacity_and_covers_a_position_just_below_the_oldest(long budget)
    {
        var recent = new RecentFrames(capacity: 4, new RecentFrameLog(budget));
        recent.ResetAfter(10);
        Assert.True(recent.Covers(10));
        Assert.False(recent.Covers(9));

        Add(recent, 11, 16);

        Assert.Equal(13, recent.First);
        Assert.Equal(16, recent.Last);
        Assert.True(recent.Covers(12));
        Assert.False(recent.Covers(11));
        Assert.Equal([14L, 15, 16], recent.CopyAfter(13, max: 10).Select(f => f.Version));
        Assert.Equal([13L, 14], recent.CopyAfter(0, max: 2).Select(f => f.Version));
        Assert.Equal(15, recent.CopyAfter(14, max: 1)[0].Version);
    }

    [Theory]
    [MemberData(nameof(Budgets))]
    public void A_version_that_does_not_follow_restarts_the_window(long budget)
    {
        var recent = new RecentFrames(capacity: 4, new RecentFrameLog(budget));
        recent.ResetAfter(0);
        Add(recent, 1, 3);

        recent.Add(TestFrames.Update(Id, 7));

        Assert.Equal(7, recent.First);
        Assert.Empty(recent.CopyAfter(7, max: 10));
        Assert.False(recent.Covers(5));
    }

    [Theory]
    [MemberData(nameof(Budgets))]
    public void Older_frames_extend_the_window_backwards_while_there_is_room_and_never_across_a_hole(long budget)
    {
        var recent = new RecentFrames(capacity: 6, new RecentFrameLog(budget));
        recent.ResetAfter(10);
        Add(recent, 11, 12);

        recent.Seed([.. Enumerable.Range(5, 8).Select(v => TestFrames.Update(Id, v))]); // 5..12: 11 and 12 are held, 10..7 fit

        Assert.Equal(7, recent.First);
        Assert.Equal([7L, 8, 9, 10, 11, 12], recent.CopyAfter(0, max: 10).Select(f => f.Version));

        var holed = new RecentFrames(capacity: 6, new RecentFrameLog(budget));
        holed.ResetAfter(10);
        holed.Seed([TestFrames.Update(Id, 8), TestFrames.Update(Id, 9)]); // 10 is missing: nothing is taken
        Assert.Equal(11, holed.First);
    }

    [Theory]
    [MemberData(nameof(Budgets))]
    public void Version_one_extends_a_window_that_starts_at_two(long budget)
    {
        var recent = new RecentFrames(capacity: 4, new RecentFrameLog(budget));
        recent.ResetAfter(1);
        recent.Add(TestFrames.Update(Id, 2));

        recent.Seed([TestFrames.Update(Id, 1)]);

        Assert.Equal(1, recent.First);
        Assert.True(recent.Covers(0));
        Assert.Equal([1L, 2], recent.CopyAfter(0, max: 10).Select(f => f.Version));
    }

    [Theory]
    [MemberData(nameof(Budgets))]
    public void Without_capacity_nothing_is_held_and_only_the_head_is_covered(long budget)
    {
        var recent = new RecentFrames(capacity: 0, new RecentFrameLog(budget));
        recent.ResetAfter(3);
        Add(recent, 4, 5);

        Assert.Equal(5, recent.Last);
        Assert.True(recent.Covers(5));
        Assert.False(recent.Covers(4));
        Assert.Empty(recent.CopyAfter(4, max: 10));
    }

    [Fact]
    public void No_added_frame_stays_an_object_and_each_comes_back_from_the_log_with_its_bytes()
    {
        var recent = new RecentFrames(capacity: 8, new RecentFrameLog(64 * 1024));
        recent.ResetAfter(0);
        var added = Enumerable.Range(1, 5).Select(v => TestFrames.Update(Id, v, step: v)).ToArray();
        foreach (var frame in added)
        {
            recent.Add(frame);
        }

        var copied = recent.CopyAfter(0, max: 10);

        Assert.Equal([1L, 2, 3, 4, 5], copied.Select(f => f.Version));
        for (var i = 0; i < 5; i++)
        {
            Assert.NotSame(added[i], copied[i]); // rebuilt from the log, the head too: the fanned-out object dies young
            Assert.Equal(added[i].Json.ToArray(), copied[i].Json.ToArray());
            Assert.Equal(added[i].Header, copied[i].Header);
        }

        Assert.Same(copied[1], recent.CopyAfter(1, max: 1)[0]); // rebuilt once, then shared by the next resumes
        Assert.Equal(added[4].Json.ToArray(), recent.NewestJson(5).ToArray());
    }

    [Theory]
    [MemberData(nameof(Budgets))]
    public void The_newest_version_is_held_even_when_the_log_has_gone_round_since_and_without_capacity(long budget)
    {
        var size = TestFrames.Update(Id, 10).Json.Length;
        var log = new RecentFrameLog(maxBytes: budget == 0 ? 0 : size * 2, segmentBytes: size);
        var quiet = new RecentFrames(capacity: 4, log);
        var busy = new RecentFrames(capacity: 4, log);
        var headless = new RecentFrames(capacity: 0, log);
        quiet.ResetAfter(9);
        busy.ResetAfter(9);
        headless.ResetAfter(9);
        quiet.Add(TestFrames.Update(Id, 10, step: 7));
        headless.Add(TestFrames.Update(Id, 10, step: 8));

        Add(busy, 10, 13); // another topic's versions take every segment of the log again

        Assert.Equal(10, quiet.First);
        var copied = Assert.Single(quiet.CopyAfter(9, max: 10));
        Assert.Equal(TestFrames.Update(Id, 10, step: 7).Json.ToArray(), copied.Json.ToArray());
        Assert.Equal(TestFrames.Update(Id, 10, step: 8).Json.ToArray(), headless.NewestJson(10).ToArray());
        Assert.Throws<InvalidOperationException>(() => quiet.NewestJson(9));

        quiet.ResetAfter(10); // a rewind may hand version 10 out again with other bytes: the copy is not reused
        Assert.Throws<InvalidOperationException>(() => quiet.NewestJson(10));
    }

    [Fact]
    public void When_the_log_goes_round_the_window_ends_above_the_versions_whose_bytes_were_written_over()
    {
        var size = TestFrames.Update(Id, 10).Json.Length; // the same for every two-digit version
        var recent = new RecentFrames(capacity: 100, new RecentFrameLog(maxBytes: size * 4, segmentBytes: size * 2));
        recent.ResetAfter(9);

        Add(recent, 10, 15); // 10 11 | 12 13, then 14 15 take the first segment again

        Assert.Equal(12, recent.First);
        Assert.True(recent.Covers(11));
        Assert.False(recent.Covers(10));
        var copied = recent.CopyAfter(11, max: 10);
        Assert.Equal([12L, 13, 14, 15], copied.Select(f => f.Version));
        Assert.All(copied, f => Assert.Equal(TestFrames.Update(Id, f.Version).Json.ToArray(), f.Json.ToArray()));

        Add(recent, 16, 16); // 16 takes the second segment: 12 and 13 were rebuilt by the copy above and stay held as objects
        Assert.Equal(12, recent.First);

        var fresh = new RecentFrames(capacity: 100, new RecentFrameLog(maxBytes: size * 4, segmentBytes: size * 2));
        fresh.ResetAfter(9);
        Add(fresh, 10, 16);
        Assert.Equal(14, fresh.First);
        Assert.Equal([14L, 15, 16], fresh.CopyAfter(0, max: 10).Select(f => f.Version));
    }

    [Fact]
    public void Seeded_frames_go_into_the_log_after_newer_ones_and_a_lost_newer_version_ends_the_window_above_them()
    {
        var size = TestFrames.Update(Id, 20).Json.Length;
        var recent = new RecentFrames(capacity: 100, new RecentFrameLog(maxBytes: size * 4, segmentBytes: size * 2));
        recent.ResetAfter(20);
        Add(recent, 21, 22); // first segment
        recent.Seed([TestFrames.Update(Id, 19), TestFrames.Update(Id, 20)]); // second segment
        Assert.Equal(19, recent.First);

        Add(recent, 23, 23); // the first segment again: 21 and 22 are gone (23 is the newest, held in the topic's own copy too)

        Assert.Equal(23, recent.First);
        Assert.False(recent.Covers(21));
        Assert.Equal([23L], recent.CopyAfter(0, max: 10).Select(f => f.Version));
    }

    [Fact]
    public void A_frame_larger_than_a_segment_stays_an_object_and_is_still_served()
    {
        var recent = new RecentFrames(capacity: 4, new RecentFrameLog(maxBytes: 64, segmentBytes: 64));
        recent.ResetAfter(0);
        var added = Enumerable.Range(1, 3).Select(v => TestFrames.Update(Id, v)).ToArray();
        foreach (var frame in added)
        {
            recent.Add(frame);
        }

        Assert.Equal(1, recent.First);
        Assert.Equal(added, recent.CopyAfter(0, max: 10));
    }

    private static void Add(RecentFrames recent, int from, int to)
    {
        for (var version = from; version <= to; version++)
        {
            recent.Add(TestFrames.Update(Id, version));
        }
    }
}
