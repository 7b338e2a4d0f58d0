using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The process's circular log of recent frames' bytes: what it hands back, and when it stops holding a position.</summary>
public sealed class RecentFrameLogTests
{
    [Fact]
    public void Bytes_come_back_as_written_until_the_log_reuses_their_segment()
    {
        var log = new RecentFrameLog(maxBytes: 32, segmentBytes: 16);

        var a = log.Append("0123456789"u8);       // segment 0
        var b = log.Append("abcdefghij"u8);       // does not fit behind a: segment 1
        Assert.Equal("0123456789"u8.ToArray(), log.Read(a, 10));
        Assert.Equal("abcdefghij"u8.ToArray(), log.Read(b, 10));
        Assert.Equal(32, log.AllocatedBytes);

        var c = log.Append("ABCDEFGHIJ"u8);       // segment 2 takes segment 0's memory

        Assert.False(log.Holds(a));
        Assert.Null(log.Read(a, 10));
        Assert.True(log.Holds(b));
        Assert.Equal("abcdefghij"u8.ToArray(), log.Read(b, 10));
        Assert.Equal("ABCDEFGHIJ"u8.ToArray(), log.Read(c, 10));
        Assert.Equal(32, log.AllocatedBytes); // reused, not grown
    }

    [Fact]
    public void Frames_that_fit_share_a_segment()
    {
        var log = new RecentFrameLog(maxBytes: 64, segmentBytes: 16);

        var a = log.Append("01234567"u8);
        var b = log.Append("89abcdef"u8);

        Assert.Equal(a + 8, b);
        Assert.Equal(16, log.AllocatedBytes);
        Assert.Equal("89abcdef"u8.ToArray(), log.Read(b, 8));
    }

    [Fact]
    public void Without_a_budget_or_for_bytes_larger_than_a_segment_nothing_is_written()
    {
        var none = new RecentFrameLog(maxBytes: 0);
        Assert.Equal(-1, none.Append("x"u8));
        Assert.False(none.Holds(-1));
        Assert.Equal(0, none.AllocatedBytes);

        var small = new RecentFrameLog(maxBytes: 8);
        Assert.Equal(-1, small.Append("0123456789"u8));
        Assert.Equal(0, small.AllocatedBytes);
        Assert.Equal(0, small.Append("01234567"u8));
    }
}
