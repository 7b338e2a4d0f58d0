using System.Diagnostics;
using System.Net;
using Vapora.Contracts;
using Vapora.Testing;
using Vapora.Testing.Faults;

namespace Vapora.EndToEnd.Tests.Faults;

/// <summary>
/// Issue 24, gateway↔API: the gateway's link to the API goes silent. A resume that needs the API's history must not
/// hang: it is bounded and told to resume (4001), not given up; live delivery of workflows already watched goes on
/// through Redis meanwhile; the failures are counted for the hop's alert; after the heal a resume gets everything.
/// </summary>
public sealed class GatewayApiLinkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silent_api_bounds_resumes_with_a_resume_close_and_stalls_no_live_delivery()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var relay = TcpRelay.Start(api.Port);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, new Uri($"http://{relay.Endpoint}/"));
        await gateway.WaitForReadinessAsync(HttpStatusCode.OK);
        var client = new WorkflowApiClient(api.Http);
        var live = await client.CreateAsync(totalSteps: 100);
        var resumed = await client.CreateAsync(totalSteps: 100);
        await client.ProgressAsync(resumed.WorkflowId, 1);
        await using var watcher = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{live.WorkflowId}/updates"));
        Assert.Equal(1, (await watcher.ReadVersionsAsync(1))[0]);

        relay.Inflict(HopFault.Silent);
        var outage = Stopwatch.StartNew();
        await using var resuming = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{resumed.WorkflowId}/updates?after=1"));
        var slowestLive = TimeSpan.Zero;
        for (var step = 1; step <= 5; step++)
        {
            var sent = Stopwatch.StartNew();
            await client.ProgressAsync(live.WorkflowId, step);
            Assert.Equal(step + 1, (await watcher.ReadVersionsAsync(1))[0]);
            slowestLive = sent.Elapsed > slowestLive ? sent.Elapsed : slowestLive;
        }

        var code = await resuming.WaitClosedAsync(TimeSpan.FromSeconds(30));
        var closedAfter = outage.Elapsed;
        output.WriteLine($"resume closed with {code} after {closedAfter.TotalSeconds:0.0} s; slowest live update meanwhile {slowestLive.TotalMilliseconds:0} ms");
        Assert.Equal(CloseReason.CatchUpFailed.Code, code);
        // The API client's bound is 10 s for a read, retries included; a loaded machine gets some slack.
        Assert.True(closedAfter < TimeSpan.FromSeconds(15), $"the resume was closed after {closedAfter.TotalSeconds:0.0} s");
        Assert.True(slowestLive < TimeSpan.FromSeconds(2), $"live delivery took {slowestLive.TotalMilliseconds:0} ms with the API silent");
        await Poll.ForAsync(gateway.MetricsAsync, m => m.Value("vapora_gateway_api_reads_failed_total", "reason=\"timeout\"") > 0,
            TimeSpan.FromSeconds(10), "the failed reads to be counted for the gateway→API alert");

        relay.Heal();
        // Healed: the same resume, as the client retries it, gets what it missed.
        await Poll.ForAsync(async () =>
        {
            await using var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{resumed.WorkflowId}/updates?after=1"));
            return await socket.ReadVersionsAsync(1, TimeSpan.FromSeconds(5));
        }, versions => versions[0] == 2, TimeSpan.FromSeconds(30), "a resume after the heal to get version 2");
    }
}
