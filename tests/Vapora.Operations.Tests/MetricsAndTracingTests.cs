using System.Net.Http.Headers;
using System.Text;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Operations.Tests;

/// <summary>The documented metrics carry the right values after a scripted run; traces cross Redis.</summary>
public sealed class MetricsAndTracingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_documented_metrics_appear_on_the_scrape_endpoint_with_the_values_of_a_scripted_run()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl, new Dictionary<string, string?>
        {
            ["Gateway__UnsubscribeGracePeriod"] = "00:00:00",
        });
        var client = new WorkflowApiClient(api.Http);

        // Three workflows; three watchers each, plus one that resumes after version 1 on the first.
        var ids = new List<string>();
        var sockets = new List<TestSocket>();
        for (var w = 0; w < 3; w++)
        {
            var id = (await client.CreateAsync($"metrics {w}")).WorkflowId;
            ids.Add(id);
            for (var c = 0; c < 3; c++)
            {
                var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{id}/updates"));
                await socket.NextAsync();
                sockets.Add(socket);
            }
        }

        var resumed = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{ids[0]}/updates?after=1"));
        sockets.Add(resumed);
        await Poll.ForAsync(gateway.MetricsAsync, m => m.Value("vapora_gateway_connections") == 10, TimeSpan.FromSeconds(10), "ten connections");

        var admin = await redis.AdminAsync();
        await admin.GetSubscriber().PublishAsync(RedisChannel.Literal(WorkflowChannels.NameFor(ids[0])), "not an update");
        foreach (var id in ids)
        {
            for (var step = 1; step <= 5; step++)
            {
                await client.ProgressAsync(id, step);
            }
        }

        foreach (var socket in sockets)
        {
            for (var i = 0; i < 5; i++)
            {
                await socket.NextAsync();
            }
        }

        var g = await Poll.ForAsync(gateway.MetricsAsync, m => m.Value("vapora_gateway_frames_sent_total") >= 59, TimeSpan.FromSeconds(10), "every frame to be sent");
        Assert.Equal(10, g.Value("vapora_gateway_connections"));
        Assert.Equal(10, g.Value("vapora_gateway_subscriptions"));
        Assert.Equal(3, g.Value("vapora_gateway_workflows_watched"));
        Assert.Equal(3, g.Value("vapora_gateway_redis_channels"));
        Assert.Equal(16, g.Value("vapora_gateway_messages_received_total"));
        Assert.Equal(5 * 4 + 5 * 3 + 5 * 3, g.Value("vapora_gateway_messages_forwarded_total"));
        Assert.Equal(9 + 50, g.Value("vapora_gateway_frames_sent_total"));
        // Frames that found others queued before them went out in the same write: at most one write per frame.
        Assert.InRange(g.Value("vapora_gateway_frames_batches_total"), 10, 9 + 50);
        Assert.Equal(1, g.Value("vapora_gateway_messages_dropped_total", "reason=\"malformed\""));
        Assert.Equal(1, g.Value("vapora_gateway_resumes_total"));
        Assert.Equal(0, g.Value("vapora_gateway_gap_repairs_total"));
        Assert.Equal(0, g.Value("vapora_gateway_send_queue_depth"));
        Assert.Equal(50, g.Value("vapora_gateway_publish_to_send_lag_milliseconds_count"));
        Assert.Equal(15, g.Value("vapora_gateway_fanout_duration_milliseconds_count"));
        // Redis never dropped during this test: nothing may count as a reconnect (ReadinessTests sees one counted).
        Assert.Equal(0, g.Value("vapora_gateway_redis_reconnects_total"));

        var a = await api.MetricsAsync();
        Assert.Equal(3 + 15, a.Value("vapora_api_updates_accepted_total"));
        Assert.Equal(3 + 15, a.Value("vapora_api_updates_published_total", "path=\"request\""));
        Assert.Equal(0, a.Value("vapora_api_publish_failures_total"));
        Assert.Equal(0, a.Value("vapora_api_outbox_backlog"));

        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        var after = await Poll.ForAsync(gateway.MetricsAsync,
            m => m.Value("vapora_gateway_connections") == 0 && m.Value("vapora_gateway_workflows_watched") == 0 && m.Value("vapora_gateway_redis_channels") == 0,
            TimeSpan.FromSeconds(15), "the gauges to return to zero");
        Assert.Equal(0, after.Value("vapora_gateway_subscriptions"));
    }

    [Fact]
    public async Task A_client_that_stops_reading_gets_conflated_progress_and_the_count_shows_it()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString, new Dictionary<string, string?>
        {
            ["RateLimits__WritesPerSecond"] = "100000",
            ["RateLimits__WriteBurst"] = "100000",
        });
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl, new Dictionary<string, string?>
        {
            ["Gateway__SendQueueCapacity"] = "16",
        });
        var client = new WorkflowApiClient(api.Http);
        var created = await client.CreateAsync(totalSteps: 100_000);
        await using var stalled = await RawWebSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"), receiveBuffer: 1024);
        await using var reader = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        await reader.NextAsync();
        var message = new string('m', 1900);

        // Bursts smaller than the conflation threshold (half the capacity), and the reader catches up after each,
        // so the reading client never lags enough to be conflated itself and must see every version.
        const int Burst = 5;
        var step = 0;
        var metrics = await Poll.ForAsync(async () =>
        {
            for (var i = 0; i < Burst; i++)
            {
                await client.ProgressAsync(created.WorkflowId, ++step, message);
            }

            for (var v = step - Burst + 2; v <= step + 1; v++)
            {
                Assert.Equal(v, (await reader.NextJsonAsync()).GetProperty("version").GetInt64());
            }

            return await gateway.MetricsAsync();
        }, m => m.Value("vapora_gateway_messages_conflated_total") > 0, TimeSpan.FromSeconds(60), "progress to be conflated for the stalled client");

        // The stalled client is still connected: its progress is conflated, not queued without bound.
        Assert.Equal(0, metrics.Value("vapora_gateway_slow_consumers_closed_total"));
        Assert.Equal(2, metrics.Value("vapora_gateway_connections"));
    }

    [Fact]
    public async Task A_trace_started_by_a_rest_request_continues_in_the_gateway_that_forwards_the_update()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl, new Dictionary<string, string?>
        {
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
            ["Logging__LogLevel__Vapora.RealtimeGateway.Hub"] = "Debug",
        });
        var client = new WorkflowApiClient(api.Http);
        var created = await client.CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        await socket.NextAsync();
        var traceId = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}")
        {
            Content = new StringContent("""{"current_step":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-b7ad6b7169203331-01");
        using var response = await api.Http.SendAsync(request, Ct);
        await socket.NextAsync();

        await Poll.UntilAsync(() => gateway.Process.Tail().Split('\n').Any(line =>
                line.Contains("Forwarded", StringComparison.Ordinal) && line.Contains(traceId, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the gateway's fan-out log line to carry the REST request's trace id");
    }
}
