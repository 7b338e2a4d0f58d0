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
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(9)); // in the last fifth of a token from 0 s to 10 s
        var inUse = Token(0, 10, "old");
        var offered = inUse;
        var asked = 0;
        var sent = new List<string>();
        var reports = new List<RefreshFailure?>();
        InbandTokenRefresh refresh = null!;
        refresh = new InbandTokenRefresh(inUse,
            _ =>
            {
                Interlocked.Increment(ref asked);
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
            await Poll.UntilAsync(() => Volatile.Read(ref asked) == 1, Deadline, "the first ask");
            time.Advance(TimeSpan.FromSeconds(1));
            await Poll.UntilAsync(() => Volatile.Read(ref asked) == 2, Deadline, "the ask after 1 s");
            lock (sent)
            {
                // Sent back, it would be accepted, due again at once and sent again, round after round.
                Assert.Empty(sent);
            }

            time.Advance(TimeSpan.FromSeconds(1.5));
            Assert.Equal(2, Volatile.Read(ref asked)); // backed off to 2 s

            Volatile.Write(ref offered, Token(9, 19, "fresh"));
            time.Advance(TimeSpan.FromSeconds(0.5));
            await Poll.UntilAsync(() => { lock (sent) { return sent.Count == 1; } }, Deadline, "the fresh token sent");
            await Poll.UntilAsync(() => { lock (reports) { return reports.Count == 1; } }, Deadline, "the refresh reported");
            Assert.Equal(Volatile.Read(ref offered), sent[0]);
            Assert.Null(reports[0]); // accepted; the rounds with nothing fresher were not reported as failures
            Assert.Equal(3, Volatile.Read(ref asked));
        }
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
