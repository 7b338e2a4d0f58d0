using Vapora.Contracts;

namespace Vapora.Contracts.Tests;

public sealed class ApiHeartbeatTests
{
    [Fact]
    public void A_heartbeat_reads_back_as_it_was_sent_and_an_interval_of_zero_says_the_replica_leaves()
    {
        var beat = new ApiHeartbeat("api-0/17/ab12", TimeSpan.FromMilliseconds(1500));

        Assert.True(ApiHeartbeat.TryParse(beat.Encode(), out var read));
        Assert.Equal(beat, read);
        Assert.False(read.IsLeaving);
        Assert.True(ApiHeartbeat.TryParse("api-0/17/ab12 0", out var leaving));
        Assert.True(leaving.IsLeaving);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-interval")]
    [InlineData(" 1000")]
    [InlineData("api -5")]
    [InlineData("api 1.5")]
    [InlineData("api 1000 extra")]
    [InlineData("api 3600001")]
    [InlineData("api 99999999999999999999")]
    public void Anything_else_is_not_a_heartbeat(string? text) => Assert.False(ApiHeartbeat.TryParse(text, out _));

    [Fact]
    public void An_instance_name_longer_than_the_limit_is_refused() =>
        Assert.False(ApiHeartbeat.TryParse(new string('a', ApiHeartbeat.MaxInstanceLength + 1) + " 1000", out _));
}
