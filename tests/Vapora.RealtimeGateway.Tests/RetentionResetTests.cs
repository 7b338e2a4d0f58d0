using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// The data lifecycle end to end (issue 25): a real workflow-api whose own retention sweep compacts a finished
/// workflow's history, and a real gateway in front of it. A client resuming from before the compaction point gets the
/// current state marked <c>"reset":true</c> on every transport; one resuming from above it gets the next version as
/// usual. (<see cref="CompactionResetTests"/> covers the same marker with the rows deleted by hand, and during a repair.)
/// </summary>
public sealed class RetentionResetTests(RedisFixture redis) : IAsyncLifetime
{
    private ServiceProcess _api = null!;
    private ServiceProcess _gateway = null!;

    private WorkflowApiClient Client => new(_api.Http);

    public async ValueTask InitializeAsync()
    {
        _api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "memory",
            ["Retention__CompactAfter"] = "00:00:01",
            ["Retention__DeleteAfter"] = "01:00:00", // not within the test: a deleted workflow is a 404, not a reset
            ["Retention__SweepInterval"] = "00:00:00.200",
            ["Retention__IdempotencyKeyLifetime"] = "00:00:00.500",
        });
        _gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl, GatewayFixture.TestGatewaySettings);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task A_client_behind_the_retention_sweeps_compaction_point_gets_the_current_state_marked_reset_on_every_transport()
    {
        var created = await Client.CreateAsync(totalSteps: 3);
        var id = created.WorkflowId;
        for (var step = 1; step <= 3; step++)
        {
            await Client.ProgressAsync(id, step);
        }

        var last = await Client.UpdateAsync(id, new UpdateWorkflowRequest { Status = WorkflowStatus.Completed });
        await Poll.ForAsync(() => Client.HistoryAsync(id), h => h.Count == 1, TimeSpan.FromSeconds(15),
            "the API's retention sweep to compact the finished workflow to its last update");

        await using var socket = await _gateway.WatchAsync(id, after: 2);
        var onSocket = await socket.NextJsonAsync();
        await using var multiplexed = await TestSocket.ConnectAsync(_gateway.WebSocketUrl("/ws"));
        await multiplexed.SendAsync($$"""{"type":"subscribe","workflow_id":"{{id}}","after":2}""");
        var subscribed = await multiplexed.NextJsonAsync();
        var inFrame = await multiplexed.NextJsonAsync();
        await using var curl = CurlEventStream.Start(new Uri(_gateway.BaseUrl, $"api/workflows/{id}/events?after=2"));
        Assert.Equal(200, await curl.StatusAsync());
        var onStream = (await curl.Events.NextUpdatesAsync(1))[0];
        // From above the compaction point nothing is missing: the last version, as any update.
        await using var above = await _gateway.WatchAsync(id, after: last.Version - 1);
        var next = await above.NextJsonAsync();

        Assert.Equal(5, last.Version);
        ResetTests.AssertReset(onSocket, id, version: 5);
        Assert.Equal("completed", onSocket.GetProperty("status").GetString());
        Assert.Equal(("subscribed", "update"), (subscribed.GetProperty("type").GetString(), inFrame.GetProperty("type").GetString()));
        ResetTests.AssertReset(inFrame.GetProperty("data"), id, version: 5);
        Assert.Equal("5", onStream.Id);
        ResetTests.AssertReset(JsonDocument.Parse(onStream.Data).RootElement, id, version: 5);
        Assert.Equal(5, next.GetProperty("version").GetInt64());
        Assert.False(next.TryGetProperty("reset", out _));
        await Poll.UntilAsync(async () => (await _gateway.MetricsAsync()).Value("vapora_gateway_resets_total", "reason=\"compacted\"") == 3,
            TimeSpan.FromSeconds(5), "the three resets to be counted as compactions");
    }
}
