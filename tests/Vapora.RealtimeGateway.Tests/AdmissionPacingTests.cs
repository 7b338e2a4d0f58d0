using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Vapora.Contracts;
using Vapora.Testing;
using Vapora.Testing.Faults;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// Gateway:MaxConcurrentAdmissions on a real gateway process: a connection whose first subscribe is still catching up
/// holds its turn, so the next one waits and, past Gateway:AdmissionQueueTimeout, is answered 503 with Retry-After (a
/// socket's handshake and an event stream alike); refused connections give their turn back.
/// </summary>
public sealed class AdmissionPacingTests(RedisFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task A_connection_still_catching_up_holds_its_turn_the_next_gets_503_with_retry_after_and_refused_ones_give_theirs_back()
    {
        await using var api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString);
        await using var relay = TcpRelay.Start(api.Port);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, new Uri($"http://{relay.Endpoint}/"),
            Settings.Layer(GatewayFixture.TestGatewaySettings, new Dictionary<string, string?>
            {
                ["Gateway__MaxConcurrentAdmissions"] = "1",
                ["Gateway__AdmissionQueueTimeout"] = "00:00:01",
                // Held for as long as the first subscribe runs (by default a subscribe waiting for the API lets the next one in after 250 ms).
                ["Gateway__AdmissionHoldLimit"] = "00:01:00",
            }));
        await gateway.WaitForReadinessAsync(HttpStatusCode.OK);
        var client = new WorkflowApiClient(api.Http);
        var live = await client.CreateAsync(totalSteps: 10);
        var resumed = await client.CreateAsync(totalSteps: 10);
        await client.ProgressAsync(resumed.WorkflowId, 1);

        // Refused connections (a bad request, 4400) give their turn back: with one turn, each of these would
        // otherwise keep the next from being admitted.
        for (var i = 0; i < 3; i++)
        {
            await using var refused = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{live.WorkflowId}/updates?after=x"));
            Assert.Equal(CloseReason.BadRequest(string.Empty).Code, await refused.WaitClosedAsync());
        }

        await using (var admitted = await gateway.WatchAsync(live.WorkflowId))
        {
            Assert.Equal(1, (await admitted.ReadVersionsAsync(1))[0]);
        }

        // The API goes silent: a resume of a workflow this gateway does not watch waits for its history, holding its turn.
        relay.Inflict(HopFault.Silent);
        await using var catchingUp = await gateway.WatchAsync(resumed.WorkflowId, after: 1);

        using var late = new ClientWebSocket();
        late.Options.CollectHttpResponseDetails = true;
        var waited = Stopwatch.StartNew();
        await Assert.ThrowsAsync<WebSocketException>(() => late.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{live.WorkflowId}/updates"), TestContext.Current.CancellationToken));
        output.WriteLine($"the late socket was answered {(int)late.HttpStatusCode} after {waited.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, late.HttpStatusCode);
        Assert.Equal("1", late.HttpResponseHeaders?["Retry-After"].Single());
        Assert.True(waited.Elapsed >= TimeSpan.FromMilliseconds(900), $"answered after {waited.ElapsedMilliseconds} ms, before its queue timeout");

        using var stream = await gateway.Http.GetAsync($"api/workflows/{live.WorkflowId}/events", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stream.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), stream.Headers.RetryAfter?.Delta);
        Assert.Contains("MaxConcurrentAdmissions", await stream.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var metrics = await gateway.MetricsAsync();
        Assert.Equal(2, metrics.Value("vapora_gateway_inbound_rejected_total", "reason=\"admission_queue\""));

        // Healed, the resume catches up and gives its turn back: the next connection is admitted.
        relay.Heal();
        Assert.Equal(2, (await catchingUp.ReadVersionsAsync(1, TimeSpan.FromSeconds(30)))[0]);
        await Poll.ForAsync(async () =>
        {
            await using var next = await gateway.WatchAsync(live.WorkflowId);
            return await next.ReadVersionsAsync(1, TimeSpan.FromSeconds(5));
        }, versions => versions[0] == 1, TimeSpan.FromSeconds(30), "a connection after the resume caught up to be admitted");
        metrics = await gateway.MetricsAsync();
        Assert.True(metrics.Has("vapora_gateway_admission_waiting"));
        Assert.Equal(0, metrics.Value("vapora_gateway_admission_waiting"));
    }
}
