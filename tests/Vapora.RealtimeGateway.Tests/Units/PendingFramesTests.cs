using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>Versions that arrive ahead of a gap, held in order and bounded until the gap is filled.</summary>
public sealed class PendingFramesTests
{
    private const string Id = "wf_pending_unit";

    [Fact]
    public void Held_versions_come_out_in_order_once_they_follow_the_head_and_stale_ones_are_dropped()
    {
        var pending = new PendingFrames(capacity: 10);
        foreach (var version in new[] { 7, 5, 3, 6, 5 })
        {
            pending.Add(TestFrames.Update(Id, version));
        }

        Assert.Equal(4, pending.Count); // 5 once
        Assert.True(pending.HasGapAfter(1));
        Assert.Null(pending.TakeNext(1));
        Assert.Equal(3, pending.TakeNext(2)!.Version);
        Assert.Null(pending.TakeNext(3));
        Assert.False(pending.HasGapAfter(4));
        Assert.Equal(5, pending.TakeNext(4)!.Version);
        Assert.Equal(7, pending.TakeNext(6)!.Version); // 6 is at or below the head now: dropped
        Assert.Equal(0, pending.Count);
        Assert.False(pending.HasGapAfter(7));
    }

    [Fact]
    public void Past_the_bound_the_newest_are_dropped_so_the_repair_reads_them_back_from_the_log()
    {
        var pending = new PendingFrames(capacity: 3);
        foreach (var version in new[] { 10, 11, 12, 13, 5 })
        {
            pending.Add(TestFrames.Update(Id, version));
        }

        Assert.Equal(3, pending.Count);
        Assert.Equal(5, pending.TakeNext(4)!.Version);
        Assert.Equal(10, pending.TakeNext(9)!.Version);
        Assert.Equal(11, pending.TakeNext(10)!.Version);
        Assert.Null(pending.TakeNext(11)); // 12 and 13 were not kept

        pending.Add(TestFrames.Update(Id, 20));
        pending.Clear();
        Assert.Equal(0, pending.Count);
    }
}
