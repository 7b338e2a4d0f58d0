using System.Net;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Store, then publish: with Redis down the write still succeeds, and the outbox relay publishes it once Redis is back.</summary>
public sealed class OutboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_write_while_redis_is_down_succeeds_and_the_relay_publishes_it_when_redis_returns()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Publishing__OutboxPollInterval"] = "00:00:00.200",
            ["Publishing__OutboxGrace"] = "00:00:00.500",
        });
        var client = new WorkflowApiClient(api.Http);
        var created = await client.CreateAsync();

        await redis.KillAsync();
        using var response = await client.PatchAsync(created.WorkflowId, """{"status":"running","current_step":1}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var failed = await api.MetricsAsync();
        Assert.True(failed.Value("vapora_api_publish_failures_total") >= 1, "the request-path publish should have failed");

        await redis.StartProcessAgainAsync();
        var metrics = await Poll.ForAsync(api.MetricsAsync,
            m => m.Value("vapora_api_updates_published_total", "path=\"relay\"") >= 1,
            TimeSpan.FromSeconds(30), "the outbox relay to publish the stored update");
        await Poll.ForAsync(api.MetricsAsync, m => m.Value("vapora_api_outbox_backlog") == 0, TimeSpan.FromSeconds(10), "an empty outbox");

        Assert.Equal(2, (await client.HistoryAsync(created.WorkflowId)).Count);
        Assert.True(metrics.Value("vapora_api_updates_published_total", "path=\"relay\"") >= 1);
    }
}
