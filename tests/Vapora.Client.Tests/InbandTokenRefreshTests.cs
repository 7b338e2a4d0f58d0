using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vapora.Client.Transports;
using Vapora.Testing;

namespace Vapora.Client.Tests;

/// <summary>The in-band refresh loop on a fake clock, with a gateway that accepts every token it is sent.</summary>
public sealed class InbandTokenRefreshTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly byte[] Accepted = Encoding.UTF8.GetBytes("""{"type":"token_accepted","expires_at":"2026-12-07T00:00:00Z"}""");

    [Fact]
    public async Task A_callback_that_gives_the_token_in_use_sends_nothing_and_is_asked_again_after_a_backoff_then_a_fresh_token_is_sent_once()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(9)); // past the refresh time of a token from 0 s to 10 s
        var inUse = Token(0, 10, "old");
        var offered = inUse;
        var askedAt = new List<DateTimeOffset>();
        var sent = new List<string>();
        var reports = new List<RefreshFailure?>();
        InbandTokenRefresh refresh = null!;
        refresh = new InbandTokenRefresh(inUse,
            _ =>
            {
                lock (askedAt)
                {
                    askedAt.Add(time.GetUtcNow());
                }

                return ValueTask.FromResult(Volatile.Read(ref offered));
            },
            (frame, _) =>
            {
                lock (sent)
                {
                    sent.Add(JsonDocument.Parse(frame).RootElement.GetProperty("token").GetString()!);
                }

                refresh.OnControlFrame(Accepted);
                return ValueTask.CompletedTask;
            },
            time,
            failure => { lock (reports) { reports.Add(failure); } });
        await using (refresh)
        {
            // The clock moves in small steps while waiting, so no step can pass a timer the loop has not set yet.
            await AdvanceUntilAsync(time, () => { lock (askedAt) { return askedAt.Count == 3; } }, "three asks");
            lock (sent)
            {
                // Sent back, it would be accepted, due again at once and sent again, round after round.
                Assert.Empty(sent);
            }

            Assert.True(askedAt[1] - askedAt[0] >= TimeSpan.FromSeconds(1), $"asked again after {askedAt[1] - askedAt[0]}");
            Assert.True(askedAt[2] - askedAt[1] >= TimeSpan.FromSeconds(2), $"then after {askedAt[2] - askedAt[1]}");

            var fresh = Token(time.GetUtcNow().ToUnixTimeSeconds(), time.GetUtcNow().ToUnixTimeSeconds() + 60, "fresh");
            Volatile.Write(ref offered, fresh);
            await AdvanceUntilAsync(time, () => { lock (sent) { return sent.Count == 1; } }, "the fresh token sent");
            await Poll.UntilAsync(() => { lock (reports) { return reports.Count == 1; } }, Deadline, "the refresh reported");
            Assert.Equal(fresh, sent[0]);
            Assert.Null(reports[0]); // accepted; the rounds with nothing fresher were not reported as failures
            lock (askedAt)
            {
                Assert.Equal(4, askedAt.Count);
            }
        }
    }

    private static Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition, string what) =>
        Poll.UntilAsync(() =>
        {
            if (condition())
            {
                return true;
            }

            time.Advance(TimeSpan.FromMilliseconds(100));
            return false;
        }, Deadline, what);

    [Theory]
    [InlineData(300, 240)] // 5 min: a fifth before expiry
    [InlineData(20, 15)]   // 20 s: 5 s before, not 4
    [InlineData(6, 3)]     // 6 s: half-way, not 1.2 s before
    public void The_refresh_is_due_a_fifth_of_the_lifetime_before_expiry_but_at_least_5s_before_or_half_way(int lifetime, int dueAt)
    {
        var issued = DateTimeOffset.FromUnixTimeSeconds(1_000);
        Assert.Equal(issued.AddSeconds(dueAt), TokenLifetime.RefreshAt(Token(1_000, 1_000 + lifetime, "t"), issued));
    }

    [Fact]
    public void A_notice_of_an_earlier_expiry_than_the_current_tokens_is_about_the_token_just_replaced_and_starts_nothing()
    {
        var current = Token(9, 19, "fresh");
        Assert.True(InbandTokenRefresh.IsAboutAnEarlierToken(DateTimeOffset.FromUnixTimeSeconds(10), current));
        Assert.False(InbandTokenRefresh.IsAboutAnEarlierToken(DateTimeOffset.FromUnixTimeSeconds(19), current));
        Assert.False(InbandTokenRefresh.IsAboutAnEarlierToken(null, current));
        Assert.False(InbandTokenRefresh.IsAboutAnEarlierToken(DateTimeOffset.FromUnixTimeSeconds(10), "not-a-jwt"));
    }

    /// <summary>An unsigned JWT-shaped token (the client plans with iat and exp only; the gateway checks tokens).</summary>
    private static string Token(long iat, long exp, string id)
    {
        static string Encode(object value) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Encode(new { alg = "none" })}.{Encode(new { iat, exp, jti = id })}.";
    }
}
