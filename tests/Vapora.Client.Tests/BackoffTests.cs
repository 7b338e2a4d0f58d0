using System.Net.WebSockets;
using Microsoft.Extensions.Time.Testing;
using Vapora.Testing;

namespace Vapora.Client.Tests;

/// <summary>Reconnect timing, with a fake clock and a connector that always fails.</summary>
public sealed class BackoffTests
{
    [Fact]
    public void Delays_double_per_attempt_within_equal_jitter_and_stop_at_the_maximum()
    {
        var random = new Random(7);
        var initial = TimeSpan.FromMilliseconds(200);
        var max = TimeSpan.FromSeconds(5);

        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var ceiling = TimeSpan.FromTicks(Math.Min(max.Ticks, initial.Ticks << (attempt - 1)));
            var delay = ReconnectBackoff.Delay(attempt, initial, max, random);
            Assert.InRange(delay, ceiling / 2 - TimeSpan.FromMilliseconds(1), ceiling);
        }
    }

    [Fact]
    public void Jitter_spreads_clients_that_were_dropped_together()
    {
        var delays = Enumerable.Range(0, 50)
            .Select(seed => ReconnectBackoff.Delay(3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), new Random(seed)))
            .Distinct()
            .Count();

        Assert.True(delays > 40, $"only {delays} distinct delays among 50 clients");
    }

    [Fact]
    public async Task Each_reconnect_waits_for_its_backoff_on_the_clock_and_the_client_gives_up_after_the_limit()
    {
        var clock = new FakeTimeProvider();
        var attempts = new List<DateTimeOffset>();
        var announced = new List<ReconnectingEventArgs>();
        var options = new WorkflowClientOptions
        {
            BaseUrl = new Uri("ws://127.0.0.1:1"),
            // One transport: this is the backoff, not the fallback to Server-Sent Events.
            Transports = [StreamTransport.WebSocket],
            MaxReconnectAttempts = 3,
            InitialBackoff = TimeSpan.FromSeconds(1),
            MaxBackoff = TimeSpan.FromSeconds(60),
            TimeProvider = clock,
            Random = new Random(42),
            Connect = (_, _, _) =>
            {
                lock (attempts)
                {
                    attempts.Add(clock.GetUtcNow());
                }

                throw new WebSocketException("connection refused");
            },
        };
        var stream = new WorkflowStreamClient(options).Watch("wf_backoff");
        stream.Reconnecting += (_, e) => { lock (announced) { announced.Add(e); } };
        var run = stream.RunAsync(TestContext.Current.CancellationToken);
        var start = clock.GetUtcNow();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await Poll.UntilAsync(() => { lock (announced) { return announced.Count == attempt; } }, TimeSpan.FromSeconds(5), $"reconnect {attempt} to be announced");
            var delay = announced[attempt - 1].Delay;
            Assert.Equal(attempt, announced[attempt - 1].Attempt);
            Assert.Equal(StreamStatus.Reconnecting, stream.Status);

            // Just short of the delay nothing happens; at the delay the next attempt is made.
            clock.Advance(delay - TimeSpan.FromMilliseconds(1));
            await Task.Yield();
            lock (attempts)
            {
                Assert.Equal(attempt, attempts.Count);
            }

            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Poll.UntilAsync(() => { lock (attempts) { return attempts.Count == attempt + 1; } }, TimeSpan.FromSeconds(5), $"attempt {attempt + 1}");
        }

        var error = await Assert.ThrowsAsync<ReconnectLimitExceededException>(() => run);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(StreamStatus.Stopped, stream.Status);
        Assert.All(announced.Select((a, i) => (a.Delay, Ceiling: TimeSpan.FromSeconds(1 << i))), d => Assert.InRange(d.Delay, d.Ceiling / 2, d.Ceiling));
        Assert.Equal(announced.Take(3).Sum(a => a.Delay.Ticks), (attempts[^1] - start).Ticks);
    }
}
