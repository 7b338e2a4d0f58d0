using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// Server-Sent Events read by <c>curl -N</c> (and, where a client must stop reading, a bare TCP socket): events and ids,
/// resume across a gateway SIGKILL through nginx, the multiplexed stream and its cursor, heartbeats, bad input,
/// slow consumers, drain and the connection limit.
/// </summary>
public sealed class EventStreamTests(EventStreamFixture fixture) : IClassFixture<EventStreamFixture>
{
    [Fact]
    public async Task Each_update_is_one_event_whose_id_is_its_version_and_whose_data_is_the_websocket_frame()
    {
        var created = await fixture.Client.CreateAsync("events", totalSteps: 10);
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateways[0].WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        await using var curl = CurlEventStream.Start(new Uri(fixture.Nginx.BaseUrl, $"api/workflows/{created.WorkflowId}/events"));

        Assert.Equal(200, await curl.StatusAsync());
        Assert.StartsWith("text/event-stream", curl.Headers["content-type"], StringComparison.Ordinal);
        Assert.Contains("no-cache", curl.Headers["cache-control"], StringComparison.Ordinal);
        var state = (await curl.Events.NextUpdatesAsync(1))[0];
        Assert.Equal("1", state.Id);
        Assert.Equal(await socket.NextAsync(), state.Data);
        // EventSource's reconnect delay: between half and all of Gateway:EventStreamRetry (2 s).
        Assert.InRange(curl.Events.Retry ?? 0, 1000, 2000);
        Assert.Equal(1, await SseStreamsAsync());

        await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Running, CurrentStep = 1 });
        await fixture.Client.ProgressAsync(created.WorkflowId, 2, "line one\nline two");
        await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Completed, CurrentStep = 10 });

        var updates = await curl.Events.NextUpdatesAsync(3);
        Assert.Equal(["2", "3", "4"], updates.Select(u => u.Id));
        foreach (var update in updates)
        {
            Assert.Equal(await socket.NextAsync(), update.Data);
        }

        Assert.Equal("line one\nline two", JsonDocument.Parse(updates[1].Data).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Curl_resumes_with_Last_Event_ID_after_the_gateway_serving_it_is_killed_and_gets_every_later_version_once_in_order()
    {
        var created = await fixture.Client.CreateAsync("resume", totalSteps: 20);
        for (var step = 1; step <= 3; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        var url = new Uri(fixture.Nginx.BaseUrl, $"api/workflows/{created.WorkflowId}/events");
        await using (var first = CurlEventStream.Start(url))
        {
            Assert.Equal("4", (await first.Events.NextUpdatesAsync(1))[0].Id);
            var serving = (await fixture.ServingGatewayAsync())!;
            await serving.KillAsync();
            try
            {
                // The gateway is gone: the response ends without a close event, and curl is done.
                await first.EndedAsync();
                Assert.DoesNotContain(first.Events.Drain(), e => e.Type == "close");
                for (var step = 4; step <= 6; step++)
                {
                    await fixture.Client.ProgressAsync(created.WorkflowId, step);
                }

                await using var resumed = CurlEventStream.Start(url, new Dictionary<string, string> { ["Last-Event-ID"] = first.Events.LastEventId! });
                Assert.Equal(200, await resumed.StatusAsync());
                Assert.Equal(["5", "6", "7"], (await resumed.Events.NextUpdatesAsync(3)).Select(e => e.Id));
                await fixture.Client.ProgressAsync(created.WorkflowId, 7);
                var live = (await resumed.Events.NextUpdatesAsync(1))[0];
                Assert.Equal("8", live.Id);
                Assert.Equal(7, JsonDocument.Parse(live.Data).RootElement.GetProperty("current_step").GetInt32());
                Assert.DoesNotContain(resumed.Events.Drain(), e => !e.IsComment);
            }
            finally
            {
                await serving.RestartAsync();
            }
        }
    }

    [Fact]
    public async Task Last_Event_ID_wins_over_after_and_after_alone_resumes_a_new_stream()
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 10);
        for (var step = 1; step <= 4; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        var url = new Uri(fixture.Nginx.BaseUrl, $"api/workflows/{created.WorkflowId}/events?after=2");
        await using var fromAfter = CurlEventStream.Start(url);
        await using var fromHeader = CurlEventStream.Start(url, new Dictionary<string, string> { ["Last-Event-ID"] = "4" });

        Assert.Equal(["3", "4", "5"], (await fromAfter.Events.NextUpdatesAsync(3)).Select(e => e.Id));
        Assert.Equal(["5"], (await fromHeader.Events.NextUpdatesAsync(1)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_quiet_stream_gets_a_heartbeat_comment_every_interval()
    {
        var created = await fixture.Client.CreateAsync();
        await using var curl = CurlEventStream.Start(new Uri(fixture.Nginx.BaseUrl, $"api/workflows/{created.WorkflowId}/events"));
        await curl.Events.NextUpdatesAsync(1);

        var clock = Stopwatch.StartNew();
        var first = await curl.Events.NextItemAsync(TimeSpan.FromSeconds(5));
        var second = await curl.Events.NextItemAsync(TimeSpan.FromSeconds(5));
        var gap = clock.Elapsed;

        Assert.True(first.IsComment && second.IsComment, $"expected two comments, got {first} and {second}");
        // Gateway:EventStreamHeartbeatInterval is 1 s here.
        Assert.InRange(gap.TotalSeconds, 0.9, 4.5);
    }

    public static TheoryData<string, string?, int, string> BadRequests => new()
    {
        { "/api/workflows/wf_does_not_exist/events", null, 404, "workflow not found" },
        { "/api/workflows/{id}/events", "abc", 400, "Last-Event-ID must be" },
        { "/api/workflows/{id}/events", "-1", 400, "Last-Event-ID must be" },
        { "/api/workflows/{id}/events?after=x", null, 400, "after must be" },
        { "/api/workflows/{id}/events?after=1&after=2", null, 400, "after must be" },
        { "/api/workflows/bad*id/events", null, 400, "invalid workflow id" },
        { "/events", null, 400, "workflows is required" },
        { "/events?workflows={id},{id}", null, 400, "listed twice" },
        { "/events?workflows={id}:x", null, 400, "after of" },
        { "/events?workflows={id},bad*id", null, 400, "each entry of workflows" },
        { "/events?workflows={many}", null, 400, "at most 100 workflows" },
        { "/events?workflows={id}", "{oversized}", 400, "longer than any cursor" },
        { "/events?workflows={id}", "0badc0de:1", 400, "cursor of another list" },
        { "/events?workflows={id}", "{cursor}1,2", 400, "more versions than" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_on_the_event_stream_paths_gets_a_clear_4xx_before_streaming_and_changes_nothing(string path, string? lastEventId, int status, string detail)
    {
        var created = await fixture.Client.CreateAsync("bad input", totalSteps: 5);
        await fixture.Client.ProgressAsync(created.WorkflowId, 1);
        var before = await SnapshotAsync(created.WorkflowId);
        var many = string.Join(',', Enumerable.Range(0, 101).Select(i => $"wf_{i}"));
        var cursor = (await CursorOfAsync(created.WorkflowId)).Split(':')[0] + ":";
        var url = new Uri(fixture.Nginx.BaseUrl, path.Replace("{id}", created.WorkflowId, StringComparison.Ordinal).Replace("{many}", many, StringComparison.Ordinal));
        var headers = lastEventId is null ? null : new Dictionary<string, string>
        {
            ["Last-Event-ID"] = lastEventId.Replace("{oversized}", "0badc0de:" + new string('7', 5000), StringComparison.Ordinal).Replace("{cursor}", cursor, StringComparison.Ordinal),
        };

        await using var curl = CurlEventStream.Start(url, headers);

        Assert.Equal(status, await curl.StatusAsync());
        Assert.Equal("application/problem+json", curl.Headers["content-type"]);
        await curl.EndedAsync();
        using var problem = JsonDocument.Parse(curl.Body);
        Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(status == 404 ? 4404 : 4400, problem.RootElement.GetProperty("close_code").GetInt32());
        Assert.False(problem.RootElement.GetProperty("resume").GetBoolean());
        Assert.Equal(before, await SnapshotAsync(created.WorkflowId));
    }

    [Fact]
    public async Task The_multiplexed_stream_carries_several_workflows_and_its_cursor_resumes_them_all_while_an_unknown_one_gets_a_workflow_error()
    {
        var a = (await fixture.Client.CreateAsync("a")).WorkflowId;
        var b = (await fixture.Client.CreateAsync("b")).WorkflowId;
        await fixture.Client.ProgressAsync(b, 1);
        var url = new Uri(fixture.Nginx.BaseUrl, $"events?workflows={a},{b}:2,wf_missing");
        string cursor;
        await using (var curl = CurlEventStream.Start(url))
        {
            Assert.Equal(200, await curl.StatusAsync());
            // a's state first (b resumes after its latest version, so nothing of b yet), and the error of the unknown one.
            var seen = new List<EventStreamItem>();
            while (seen.Count < 2)
            {
                seen.Add(await curl.Events.NextEventAsync());
            }

            await fixture.Client.ProgressAsync(b, 2);
            await fixture.Client.ProgressAsync(a, 1);
            while (seen.Count(e => e.Type == "message") < 3)
            {
                seen.Add(await curl.Events.NextEventAsync());
            }

            var error = JsonDocument.Parse(seen.Single(e => e.Type == "workflow_error").Data).RootElement;
            Assert.Equal("wf_missing", error.GetProperty("workflow_id").GetString());
            Assert.Equal("not_found", error.GetProperty("code").GetString());
            Assert.Equal([(a, 1L), (a, 2L)], VersionsOf(seen, a));
            Assert.Equal([(b, 3L)], VersionsOf(seen, b));
            cursor = seen.Last(e => e.Type == "message").Id!;
        }

        // Missed while disconnected: a v3 and b v4, v5.
        await fixture.Client.ProgressAsync(a, 2);
        await fixture.Client.ProgressAsync(b, 3);
        await fixture.Client.ProgressAsync(b, 4);
        await using var resumed = CurlEventStream.Start(url, new Dictionary<string, string> { ["Last-Event-ID"] = cursor });
        var missed = new List<EventStreamItem>();
        while (missed.Count(e => e.Type == "message") < 3)
        {
            missed.Add(await resumed.Events.NextEventAsync());
        }

        Assert.Equal([(a, 3L)], VersionsOf(missed, a));
        Assert.Equal([(b, 4L), (b, 5L)], VersionsOf(missed, b));
        Assert.DoesNotContain(resumed.Events.Drain(), e => e.Type == "message");
    }

    [Fact]
    public async Task A_stream_that_stops_reading_gets_conflated_progress_then_a_slow_consumer_close_and_resumes_from_its_cursor_without_loss()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?>
        {
            // Room for the preamble, the 8 states and a first round of progress (17) before conflation (from 16 on)
            // holds the queue there: at 16 a writer stalled before draining the states overflowed it unconflated.
            ["Gateway__SendQueueCapacity"] = "32",
            // Room to read the close event after the test sees the close in the metrics.
            ["Gateway__CloseTimeout"] = "00:00:30",
            // A stall is found by the second tick with nothing written; 5 s leaves the updates below time to fill the
            // queue past half and be conflated first (at 1 s a loaded machine could close the stream before that).
            ["Gateway__EventStreamHeartbeatInterval"] = "00:00:05",
        });
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await fixture.Client.CreateAsync($"slow {i}", totalSteps: 100_000)).WorkflowId);
        }

        var path = "events?workflows=" + string.Join(',', ids.Select(id => id + ":1"));
        // A client whose kernel buffer is tiny and that does not read its response: a stalled consumer.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = gateway.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Poll.ForAsync(gateway.MetricsAsync, m => m.Value("vapora_gateway_subscriptions") == ids.Count, TimeSpan.FromSeconds(15), "the stalled stream to watch every workflow");

        // Progress is conflated per workflow once the queue is half full, so the queue never overflows: what closes the
        // stream is the heartbeat tick that finds frames waiting and none written since the previous tick.
        var message = new string('m', 1900);
        var step = 0;
        var metrics = await Poll.ForAsync(async () =>
        {
            step++;
            await Task.WhenAll(ids.Select(id => fixture.Client.ProgressAsync(id, step, message)));
            return await gateway.MetricsAsync();
        }, m => m.Value("vapora_gateway_slow_consumers_closed_total") >= 1, TimeSpan.FromSeconds(90), "the stalled stream to be closed as a slow consumer");
        Assert.True(metrics.Value("vapora_gateway_messages_conflated_total") > 0, "progress should have been conflated before the close");

        // Now read what got through: versions in order per workflow (some progress conflated away), then the close event.
        var reader = new EventStreamReader();
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        await reader.RunAsync(lines, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var items = reader.Drain().Where(i => !i.IsComment).ToList();
        var close = items[^1];
        Assert.Equal("close", close.Type);
        var reason = JsonDocument.Parse(close.Data).RootElement;
        Assert.Equal(CloseReason.SlowConsumer.Code, reason.GetProperty("code").GetInt32());
        Assert.True(reason.GetProperty("resume").GetBoolean());
        var received = items.SkipLast(1).ToList();
        foreach (var id in ids)
        {
            var versions = VersionsOf(received, id).Select(v => v.Version).ToList();
            Assert.Equal(versions.Order().Distinct(), versions);
        }

        Assert.True(ids.Sum(id => VersionsOf(received, id).Count) < ids.Count * step, "some progress should have been conflated away");

        // Resume from the cursor: every version after it, once, in order, for every workflow.
        await using var resumed = CurlEventStream.Start(new Uri(gateway.BaseUrl, path), new Dictionary<string, string> { ["Last-Event-ID"] = reader.LastEventId! });
        var latest = ids.ToDictionary(id => id, _ => (long)step + 1);
        var resumedUpdates = new List<EventStreamItem>();
        while (ids.Any(id => VersionsOf(received.Concat(resumedUpdates), id).LastOrDefault().Version < latest[id]))
        {
            resumedUpdates.Add((await resumed.Events.NextUpdatesAsync(1, TimeSpan.FromSeconds(20)))[0]);
        }

        foreach (var id in ids)
        {
            var before = VersionsOf(received, id).Select(v => v.Version).DefaultIfEmpty(1).Last();
            Assert.Equal(Enumerable.Range((int)before + 1, (int)(latest[id] - before)).Select(v => (long)v), VersionsOf(resumedUpdates, id).Select(v => v.Version));
        }
    }

    [Fact]
    public async Task Draining_a_gateway_ends_its_streams_with_a_going_away_close_event_in_paced_waves()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Gateway__DrainWindow"] = "00:00:02",
            ["Gateway__CloseTimeout"] = "00:00:02",
        });
        var created = await fixture.Client.CreateAsync();
        var streams = new List<CurlEventStream>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var curl = CurlEventStream.Start(new Uri(gateway.BaseUrl, $"api/workflows/{created.WorkflowId}/events"));
                streams.Add(curl);
                await curl.Events.NextUpdatesAsync(1);
            }

            var clock = Stopwatch.StartNew();
            var closedAt = streams.Select(async s =>
            {
                var close = await s.Events.NextEventAsync(TimeSpan.FromSeconds(15));
                var elapsed = clock.Elapsed;
                await s.EndedAsync();
                return (close, elapsed);
            }).ToList();
            Assert.True(await gateway.TerminateAsync(TimeSpan.FromSeconds(20)), "the gateway should exit after draining");

            var closes = await Task.WhenAll(closedAt);
            foreach (var (close, _) in closes)
            {
                Assert.Equal("close", close.Type);
                var reason = JsonDocument.Parse(close.Data).RootElement;
                Assert.Equal(CloseReason.GoingAway.Code, reason.GetProperty("code").GetInt32());
                Assert.True(reason.GetProperty("resume").GetBoolean());
            }

            // Ten streams in ten waves over 2 s: not all at once.
            var spread = closes.Max(c => c.elapsed) - closes.Min(c => c.elapsed);
            Assert.True(spread >= TimeSpan.FromSeconds(1), $"the streams closed within {spread.TotalMilliseconds:0} ms of each other");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_gateways_limits_hold_for_streams_503_with_retry_after_at_the_connection_limit_and_400_beyond_the_subscription_limit()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Gateway__MaxConnections"] = "1",
            // Below Gateway:MaxWorkflowsPerEventStream (100): a stream's workflows are its connection's subscriptions.
            ["Gateway__MaxSubscriptionsPerConnection"] = "2",
        });
        var created = await fixture.Client.CreateAsync();
        await using var first = CurlEventStream.Start(new Uri(gateway.BaseUrl, $"api/workflows/{created.WorkflowId}/events"));
        await first.Events.NextUpdatesAsync(1);

        await using var second = CurlEventStream.Start(new Uri(gateway.BaseUrl, $"api/workflows/{created.WorkflowId}/events"));

        Assert.Equal(503, await second.StatusAsync());
        Assert.True(int.Parse(second.Headers["retry-after"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        await second.EndedAsync();
        var problem = JsonDocument.Parse(second.Body).RootElement;
        Assert.Equal(CloseReason.TryAgainLater.Code, problem.GetProperty("close_code").GetInt32());
        Assert.True(problem.GetProperty("resume").GetBoolean());

        await using var tooMany = CurlEventStream.Start(new Uri(gateway.BaseUrl, $"events?workflows={created.WorkflowId},wf_b,wf_c"));
        Assert.Equal(400, await tooMany.StatusAsync());
        await tooMany.EndedAsync();
        Assert.Contains("at most 2 workflows", JsonDocument.Parse(tooMany.Body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<double> SseStreamsAsync()
    {
        var total = 0.0;
        foreach (var gateway in fixture.Gateways)
        {
            total += (await gateway.MetricsAsync()).Value("vapora_gateway_connections_by_transport", "transport=\"sse\"");
        }

        return total;
    }

    private async Task<string> SnapshotAsync(string id) =>
        await fixture.Api.Http.GetStringAsync($"api/workflows/{id}") + await fixture.Api.Http.GetStringAsync($"api/workflows/{id}/history?limit=1000");

    /// <summary>A real cursor of a one-workflow multiplexed stream (its fingerprint part is what the bad-input cases need).</summary>
    private async Task<string> CursorOfAsync(string id)
    {
        await using var curl = CurlEventStream.Start(new Uri(fixture.Nginx.BaseUrl, $"events?workflows={id}"));
        return (await curl.Events.NextUpdatesAsync(1))[0].Id!;
    }

    private static List<(string WorkflowId, long Version)> VersionsOf(IEnumerable<EventStreamItem> items, string workflowId) =>
        items.Where(i => i.Type == "message")
            .Select(i => JsonDocument.Parse(i.Data).RootElement)
            .Select(u => (u.GetProperty("workflow_id").GetString()!, u.GetProperty("version").GetInt64()))
            .Where(u => u.Item1 == workflowId)
            .ToList();

}
