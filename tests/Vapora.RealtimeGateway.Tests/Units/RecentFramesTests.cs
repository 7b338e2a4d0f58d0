using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The last versions a topic keeps in memory: a contiguous window, extended backwards by history reads.</summary>
public sealed class RecentFramesTests
{
    private const string Id = "wf_recent_unit";

    [Fact]
    public void The_window_keeps_the_last_versions_up_to_its_capacity_and_covers_a_position_just_below_the_oldest()
    {
        var recent = new RecentFrames(capacity: 4);
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
        Assert.Equal(15, recent[15].Version);
        Assert.Throws<ArgumentOutOfRangeException>(() => recent[12]);
    }

    [Fact]
    public void A_version_that_does_not_follow_restarts_the_window()
    {
        var recent = new RecentFrames(capacity: 4);
        recent.ResetAfter(0);
        Add(recent, 1, 3);

        recent.Add(TestFrames.Update(Id, 7));

        Assert.Equal(7, recent.First);
        Assert.Empty(recent.CopyAfter(7, max: 10));
        Assert.False(recent.Covers(5));
    }

    [Fact]
    public void Older_frames_extend_the_window_backwards_while_there_is_room_and_never_across_a_hole()
    {
        var recent = new RecentFrames(capacity: 6);
        recent.ResetAfter(10);
        Add(recent, 11, 12);

        recent.Seed([.. Enumerable.Range(5, 8).Select(v => TestFrames.Update(Id, v))]); // 5..12: 11 and 12 are held, 10..7 fit

        Assert.Equal(7, recent.First);
        Assert.Equal([7L, 8, 9, 10, 11, 12], recent.CopyAfter(0, max: 10).Select(f => f.Version));

        var holed = new RecentFrames(capacity: 6);
        holed.ResetAfter(10);
        holed.Seed([TestFrames.Update(Id, 8), TestFrames.Update(Id, 9)]); // 10 is missing: nothing is taken
        Assert.Equal(11, holed.First);
    }

    [Fact]
    public void Version_one_extends_a_window_that_starts_at_two()
    {
        var recent = new RecentFrames(capacity: 4);
        recent.ResetAfter(1);
        recent.Add(TestFrames.Update(Id, 2));

        recent.Seed([TestFrames.Update(Id, 1)]);

        Assert.Equal(1, recent.First);
        Assert.True(recent.Covers(0));
        Assert.Equal([1L, 2], recent.CopyAfter(0, max: 10).Select(f => f.Version));
    }

    [Fact]
    public void Without_capacity_nothing_is_held_and_only_the_head_is_covered()
    {
        var recent = new RecentFrames(capacity: 0);
        recent.ResetAfter(3);
        Add(recent, 4, 5);

        Assert.Equal(5, recent.Last);
        Assert.True(recent.Covers(5));
        Assert.False(recent.Covers(4));
        Assert.Empty(recent.CopyAfter(4, max: 10));
    }

    private static void Add(RecentFrames recent, int from, int to)
    {
        for (var version = from; version <= to; version++)
        {
            recent.Add(TestFrames.Update(Id, version));
        }
    }
}
